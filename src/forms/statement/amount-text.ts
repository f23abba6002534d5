/**
 * Money as the settlement statement prints it. Amounts are integer fen (分) throughout the gateway;
 * these functions turn them into text with integer arithmetic only (never floating-point yuan).
 */

function assertFen(fen: number, what: string): void {
  if (!Number.isSafeInteger(fen)) {
    throw new RangeError(`${what}: ${String(fen)} is not an integer number of fen`);
  }
}

/** Integer fen as yuan with two decimals: 1234 → '12.34', 5 → '0.05', -1234 → '-12.34'. No grouping. */
export function formatFen(fen: number): string {
  assertFen(fen, 'formatFen');
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
/** Places inside a group of four digits, from the highest: 仟 佰 拾 and the ones. */
const PLACES = ['仟', '佰', '拾', ''];
/** Units of the groups of four digits, from the lowest. */
const GROUPS = ['', '万', '亿', '万亿'];

/**
 * One group of four digits (0 < group < 10000). `lead` says a higher group was written, so leading
 * zeros of this one are spoken as one 零 (壹拾万零伍佰). Zeros between digits give one 零; trailing
 * zeros give none.
 */
function groupWords(group: number, lead: boolean): string {
  const digits = String(group).padStart(4, '0').split('').map(Number);
  let out = '';
  let zero = false;
  digits.forEach((d, i) => {
    if (d === 0) {
      zero = out !== '' || lead;
      return;
    }
    if (zero) {
      out += '零';
      zero = false;
    }
    out += DIGITS[d] + PLACES[i];
  });
  return out;
}

/** The yuan part (> 0) in words, without 元: 107000 → 壹拾万柒仟, 100000001 → 壹亿零壹. */
function yuanWords(yuan: number): string {
  const groups: number[] = [];
  for (let rest = yuan; rest > 0; rest = Math.floor(rest / 10000)) {
    groups.push(rest % 10000);
  }
  let out = '';
  let pendingZero = false;
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i];
    if (g === 0) {
      pendingZero = out !== '';
      continue;
    }
    const lead = out !== '';
    // A skipped zero group, or this group's own leading zero, is one 零 (壹亿零壹, 壹拾万零伍佰).
    const words = groupWords(g, lead);
    out += (pendingZero && !words.startsWith('零') ? '零' : '') + words + GROUPS[i];
    pendingZero = false;
  }
  return out;
}

/**
 * 人民币大写 of an amount in integer fen, as the 《支付结算办法》 rules for filling in bills
 * (正确填写票据和结算凭证的基本规定) ask:
 * - 壹拾, never a bare 拾 (壹拾元整), so a digit cannot be added in front;
 * - zeros inside the number are one 零 (陆仟零柒元壹角肆分); a zero 万 place before a non-zero 仟
 *   needs none (壹拾万柒仟元零伍角叁分);
 * - a zero ones place before a non-zero 角 writes 零 after 元 (壹仟陆佰捌拾元零叁角贰分), and a
 *   zero 角 before a non-zero 分 writes 零 (叁佰贰拾伍元零肆分);
 * - 整 after 元 when there are no 角 and 分 (壹佰元整); none after 角 or 分 (壹仟肆佰零玖元伍角);
 * - zero is 零元整; less than a yuan starts at 角 or 分 (伍角, 伍分).
 * Negative amounts are refused (a receipt states what is paid, not what is refunded).
 */
export function amountInWords(fen: number): string {
  assertFen(fen, 'amountInWords');
  if (fen < 0) {
    throw new RangeError(`amountInWords: ${fen} is negative`);
  }
  if (fen === 0) {
    return '零元整';
  }
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const cents = fen % 10;
  let out = yuan > 0 ? `${yuanWords(yuan)}元` : '';
  if (jiao === 0 && cents === 0) {
    return `${out}整`;
  }
  if (jiao > 0) {
    out += (yuan > 0 && yuan % 10 === 0 ? '零' : '') + `${DIGITS[jiao]}角`;
  } else if (yuan > 0) {
    out += '零';
  }
  if (cents > 0) {
    out += `${DIGITS[cents]}分`;
  }
  return out;
}

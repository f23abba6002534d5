import { parseAimIdentifier } from './aim-symbology';
import { toHalfWidth } from './chars';
import { chinaToday } from './dates';
import {
  GS,
  gs1CheckDigit,
  gs1Expiry,
  isValidGtin,
  parseGs1Bracketed,
  parseGs1ElementString,
  type Gs1Element,
} from './gs1';
import { checkIdNumber } from './id-number';

export { gb11643CheckChar, normalizeIdNumber, checkIdNumber } from './id-number';
export { gs1CheckDigit, isValidGtin } from './gs1';

/**
 * What a scanned code is. Scanners at the pharmacy and the registration desk read everything
 * put in front of them: drug trace codes, GS1 DataMatrix, the shop barcode on the same box, ID
 * cards' numbers, and the patient's phone QR codes. This decides which one it is, so the
 * caller can route it (or tell the member of staff what to scan instead) without guessing.
 *
 * Rules of thumb behind the order below:
 * - Never throw: the input is whatever a keyboard wedge typed; every outcome is a value.
 * - Codes that carry identity (ID numbers) are validated fully; opaque tokens (电子社保卡,
 *   宁夏融合码, 医保电子凭证) are never parsed: only the insurer's platform can decode them.
 * - A commodity barcode is a valid thing, but not a trace code, so it is its own kind and
 *   carries the message that says so.
 */

export type RefusalCode =
  | 'EMPTY'
  | 'TOO_LONG'
  | 'NON_PRINTABLE'
  | 'UNRECOGNISED'
  | 'TRACE_CODE_LENGTH'
  | 'EAN_CHECK_DIGIT'
  | 'GS1_CHECK_DIGIT'
  | 'GS1_MALFORMED'
  | 'GS1_NO_SERIAL'
  | 'ID_CHECK_DIGIT'
  | 'ID_BIRTH_DATE'
  | 'ID_MALFORMED'
  | 'ID_LENGTH';

export type Classification =
  | {
      kind: 'trace-code';
      code: string;
      /** First 7 digits: the drug product (药品标识码). */
      productCode: string;
      /** 'msfx' for the dominant 码上放心 platform (codes start with 8). */
      platform: 'msfx' | 'other';
    }
  | {
      kind: 'gs1';
      gtin: string;
      serial: string;
      /** 'YYYY-MM-DD' */
      expiry?: string;
      batch?: string;
      /** Expiry before today's date in China; false when there is no expiry. */
      expired: boolean;
      /** Elements other than (01) (21) (17) (10), by AI. */
      otherElements?: Record<string, string>;
    }
  | {
      kind: 'commodity-barcode';
      code: string;
      symbology: 'EAN-13' | 'EAN-8' | 'UPC-A' | 'GTIN-14';
      /** 690–699: registered with GS1 China. */
      china: boolean;
      /** For staff: this is not a trace code, and what to scan instead. */
      message: string;
    }
  | { kind: 'id-number'; value: string; generation: 1 | 2 }
  | { kind: 'qr-token'; token: string }
  | { kind: 'refused'; code: RefusalCode; message: string; details?: Record<string, string | number> };

export type Refusal = Extract<Classification, { kind: 'refused' }>;

export interface ClassifyOptions {
  /** For the expiry check; defaults to the current time. */
  now?: Date;
}

/** Longer than any code we accept; the 电子凭证 payloads and URLs seen are far shorter. */
export const MAX_CODE_LENGTH = 1024;
/** A shorter printable string is too short to be any of the tokens. */
export const MIN_TOKEN_LENGTH = 8;

const SCAN_TRACE_CODE = '请扫描药品最小包装上的20位追溯码';
const USE_READER = '请核对证件号码，或改用身份证阅读器读卡';

const MESSAGES: Readonly<Record<RefusalCode, string>> = {
  EMPTY: '没有读到条码内容：请对准条码重新扫描',
  TOO_LONG: `条码内容过长（超过${MAX_CODE_LENGTH}个字符），不是追溯码、身份证号或电子凭证二维码：请扫描药品追溯码或患者的电子凭证二维码`,
  NON_PRINTABLE: '条码中含有不可见的控制字符，无法识别：请重新扫描；反复出现请联系信息科检查扫码枪设置',
  UNRECOGNISED: '条码内容过短，无法识别：请扫描药品追溯码、身份证号码或患者的电子凭证二维码',
  TRACE_CODE_LENGTH: `追溯码应为20位数字，本次读到的位数不对，可能漏扫或多扫了字符：${SCAN_TRACE_CODE}`,
  EAN_CHECK_DIGIT: `条码校验位错误，可能没有扫全：请重新扫描；注意商品条码不是追溯码，${SCAN_TRACE_CODE}`,
  GS1_CHECK_DIGIT: `药品二维码中的商品编码（GTIN）校验位错误：请重新扫描，或${SCAN_TRACE_CODE}`,
  GS1_MALFORMED: `药品二维码内容无法解析：请重新扫描，或${SCAN_TRACE_CODE}；反复出现请联系信息科检查扫码枪是否发送GS分隔符`,
  GS1_NO_SERIAL: `该药品二维码没有序列号（21），不能作为追溯码：${SCAN_TRACE_CODE}`,
  ID_CHECK_DIGIT: `身份证号码校验位错误：${USE_READER}`,
  ID_BIRTH_DATE: `身份证号码中的出生日期无效：${USE_READER}`,
  ID_MALFORMED: `身份证号码格式不对（地区码不能以0开头）：${USE_READER}`,
  ID_LENGTH: `身份证号码应为18位，本次只读到17位：${USE_READER}`,
};

function refuse(code: RefusalCode, details?: Record<string, string | number>): Refusal {
  return details === undefined
    ? { kind: 'refused', code, message: MESSAGES[code] }
    : { kind: 'refused', code, message: MESSAGES[code], details };
}

/**
 * Characters no code or token legitimately contains: controls (GS is handled separately),
 * format characters such as zero-width spaces, lone surrogates, private-use and unassigned.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u;

export function classifyCode(raw: string, options: ClassifyOptions = {}): Classification {
  if (typeof raw !== 'string') {
    return refuse('EMPTY');
  }
  // Checked before any other work so a pasted megabyte costs nothing.
  if (raw.length > MAX_CODE_LENGTH * 2) {
    return refuse('TOO_LONG', { length: raw.length });
  }
  // Scanners append CR, LF or TAB; a keyboard wedge may add spaces. GS is not \s, so it stays.
  const trimmed = raw.replace(/^\s+|\s+$/g, '');
  if (trimmed === '') {
    return refuse('EMPTY');
  }
  if (trimmed.length > MAX_CODE_LENGTH) {
    return refuse('TOO_LONG', { length: trimmed.length });
  }
  // AIM symbology identifier, recognised exactly as the scanner framing does (aim-symbology.ts).
  // Only ASCII can be an identifier: latin1 would turn U+015D into `]`.
  const head = trimmed.slice(0, 3);
  const aim = /^[\x21-\x7e]{3}$/.test(head) ? parseAimIdentifier(Buffer.from(head, 'ascii')) : undefined;
  const body = aim === undefined ? trimmed : trimmed.slice(aim.id.length);
  if (body === '') {
    return refuse('EMPTY');
  }
  const text = toHalfWidth(body);
  if (INVISIBLE.test(text.split(GS).join(''))) {
    return refuse('NON_PRINTABLE');
  }
  const today = chinaToday(options.now ?? new Date());

  if (aim?.gs1 || text.includes(GS)) {
    return classifyGs1(text, today, 'transmitted');
  }
  if (/^\(\d{2,4}\)/.test(text)) {
    return classifyGs1(text, today, 'bracketed');
  }
  if (/^\d+$/.test(text)) {
    return classifyDigits(text, today);
  }
  if (/^\d{17}[Xx]$/.test(text)) {
    return classifyId(text);
  }
  // A GS1 string without AIM prefix and without separators (keyboard wedge), with letters in
  // its serial or batch. Only taken when it really parses: tokens may start with digits too.
  if (/^01\d{14}(10|11|17|21)/.test(text)) {
    const gs1 = classifyGs1(text, today, 'transmitted');
    if (gs1.kind !== 'refused' || gs1.code !== 'GS1_MALFORMED') {
      return gs1;
    }
  }
  if (text.length < MIN_TOKEN_LENGTH) {
    return refuse('UNRECOGNISED', { length: text.length });
  }
  // Opaque: handed on exactly as scanned (less the AIM prefix), never normalised or parsed.
  return { kind: 'qr-token', token: body };
}

function classifyDigits(d: string, today: string): Classification {
  switch (d.length) {
    case 20:
      // A GS1 string of 20 digits would need a 2-digit serial; real ones are far longer, so
      // 20 digits is always a trace code.
      return {
        kind: 'trace-code',
        code: d,
        productCode: d.slice(0, 7),
        platform: d.startsWith('8') ? 'msfx' : 'other',
      };
    case 19:
    case 21:
      return refuse('TRACE_CODE_LENGTH', { length: d.length });
    case 18:
    case 15:
      return classifyId(d);
    case 17:
      return refuse('ID_LENGTH');
    case 8:
    case 12:
    case 13:
    case 14:
      return classifyCommodity(d);
    default:
      break;
  }
  if (d.length >= 22 && d.startsWith('01')) {
    const gs1 = classifyGs1(d, today, 'transmitted');
    if (gs1.kind !== 'refused' || gs1.code !== 'GS1_MALFORMED') {
      return gs1;
    }
  }
  return d.length < MIN_TOKEN_LENGTH ? refuse('UNRECOGNISED', { length: d.length }) : { kind: 'qr-token', token: d };
}

function classifyId(value: string): Classification {
  const check = checkIdNumber(value);
  if (check.valid) {
    return { kind: 'id-number', value: check.value, generation: check.generation };
  }
  if (value.length === 15) {
    // Fifteen digits without a real birth date are something else (an IMEI, an order number).
    return { kind: 'qr-token', token: value };
  }
  // The details never carry the number itself: it is personal data and ends up in logs.
  switch (check.reason) {
    case 'check-char':
      return refuse('ID_CHECK_DIGIT');
    case 'birth-date':
      return refuse('ID_BIRTH_DATE');
    case 'malformed':
      return refuse('ID_MALFORMED');
  }
}

function classifyCommodity(code: string): Classification {
  if (!isValidGtin(code)) {
    return refuse('EAN_CHECK_DIGIT', { length: code.length });
  }
  const symbology = ({ 8: 'EAN-8', 12: 'UPC-A', 13: 'EAN-13', 14: 'GTIN-14' } as const)[
    code.length as 8 | 12 | 13 | 14
  ];
  // The company prefix as it appears in the 13-digit form (a GTIN-14 adds an indicator digit).
  const prefix =
    symbology === 'GTIN-14' ? code.slice(1, 4) : symbology === 'UPC-A' ? `0${code.slice(0, 2)}` : code.slice(0, 3);
  const china = prefix >= '690' && prefix <= '699';
  return {
    kind: 'commodity-barcode',
    code,
    symbology,
    china,
    message: `这是${china ? '国内' : ''}商品条码（${symbology}），不是药品追溯码：${SCAN_TRACE_CODE}（通常印在“追溯码”字样旁）`,
  };
}

function classifyGs1(text: string, today: string, form: 'transmitted' | 'bracketed'): Classification {
  const parsed = form === 'bracketed' ? parseGs1Bracketed(text) : parseGs1ElementString(text);
  if (!parsed.ok) {
    return refuse(
      'GS1_MALFORMED',
      parsed.ai === undefined ? { reason: parsed.reason } : { reason: parsed.reason, ai: parsed.ai },
    );
  }
  const byAi = new Map<string, string>();
  for (const { ai, value } of parsed.elements) {
    const seen = byAi.get(ai);
    if (seen !== undefined && seen !== value) {
      return refuse('GS1_MALFORMED', { reason: 'conflicting-duplicate', ai });
    }
    byAi.set(ai, value);
  }
  const gtin = byAi.get('01');
  if (gtin === undefined) {
    return refuse('GS1_MALFORMED', { reason: 'no-gtin' });
  }
  if (!isValidGtin(gtin)) {
    return refuse('GS1_CHECK_DIGIT', { expected: gs1CheckDigit(gtin.slice(0, 13)) });
  }
  const serial = byAi.get('21');
  if (serial === undefined) {
    return refuse('GS1_NO_SERIAL');
  }
  const rawExpiry = byAi.get('17');
  const expiry = rawExpiry === undefined ? undefined : gs1Expiry(rawExpiry, today);
  if (rawExpiry !== undefined && expiry === undefined) {
    return refuse('GS1_MALFORMED', { reason: 'bad-expiry', ai: '17' });
  }
  const batch = byAi.get('10');
  const other = otherElements(parsed.elements);
  return {
    kind: 'gs1',
    gtin,
    serial,
    ...(expiry === undefined ? {} : { expiry }),
    ...(batch === undefined ? {} : { batch }),
    expired: expiry !== undefined && expiry < today,
    ...(other === undefined ? {} : { otherElements: other }),
  };
}

function otherElements(elements: Gs1Element[]): Record<string, string> | undefined {
  const rest = elements.filter((e) => !['01', '21', '17', '10'].includes(e.ai));
  return rest.length === 0 ? undefined : Object.fromEntries(rest.map((e) => [e.ai, e.value]));
}

import { daysInMonth, isoDate } from './dates';

/**
 * GS1 element strings, as drug packs carry them in a GS1 DataMatrix: (01) GTIN-14, (21) serial,
 * (17) expiry YYMMDD, (10) batch, and others we keep but do not interpret.
 *
 * Two spellings reach us: the scanner's transmission (AIs run together; a variable-length
 * field ends at a GS, 0x1D, which stands for FNC1, or at the end) and the human-readable form
 * printed under the symbol, "(01)…(21)…". Only the AIs' length rules are needed to split
 * either, so the table below covers AI lengths by their first two digits, not every AI.
 */

export const GS = '\u001d';

export interface Gs1Element {
  ai: string;
  value: string;
}

export type Gs1Failure = { ok: false; code: 'GS1_MALFORMED'; reason: string; ai?: string };
export type Gs1Parse = { ok: true; elements: Gs1Element[] } | Gs1Failure;

/** How many digits the AI starting with these two digits has (GS1 General Specifications). */
function aiDigits(firstTwo: string): number | undefined {
  const n = Number(firstTwo);
  if (n <= 22 || n === 30 || n === 37 || n >= 90) {
    return 2;
  }
  if ((n >= 23 && n <= 25) || (n >= 40 && n <= 42)) {
    return 3;
  }
  if ((n >= 31 && n <= 36) || n === 39 || n === 43 || (n >= 70 && n <= 72) || (n >= 80 && n <= 82)) {
    return 4;
  }
  return undefined;
}

/**
 * AIs whose element (AI + data) has a predefined length, by the AI's first two digits: these
 * never need a separator after them. Every other AI is ended by FNC1/GS or the end of data.
 */
const PREDEFINED_TOTAL: Readonly<Record<string, number>> = {
  '00': 20,
  '01': 16,
  '02': 16,
  '03': 16,
  '04': 18,
  '11': 8,
  '12': 8,
  '13': 8,
  '14': 8,
  '15': 8,
  '16': 8,
  '17': 8,
  '18': 8,
  '19': 8,
  '20': 4,
  '31': 10,
  '32': 10,
  '33': 10,
  '34': 10,
  '35': 10,
  '36': 10,
  '41': 16,
};

/** Maximum data length of the variable-length AIs we meet on drugs; others get the GS1 ceiling of 90. */
const VARIABLE_MAX: Readonly<Record<string, number>> = {
  '10': 20,
  '21': 20,
  '22': 20,
  '30': 8,
  '37': 8,
  '240': 30,
  '241': 30,
};

/** GS1 AI encodable character set 82: what may appear in an element's data. */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/;

function fail(reason: string, ai?: string): Gs1Failure {
  return ai === undefined
    ? { ok: false, code: 'GS1_MALFORMED', reason }
    : { ok: false, code: 'GS1_MALFORMED', reason, ai };
}

function checkElement(ai: string, value: string): Gs1Failure | undefined {
  if (value === '' || !CSET82.test(value)) {
    return fail('bad-characters', ai);
  }
  const firstTwo = ai.slice(0, 2);
  const total = PREDEFINED_TOTAL[firstTwo];
  if (total !== undefined) {
    if (ai.length + value.length !== total || !/^\d+$/.test(value)) {
      return fail('bad-fixed-length-field', ai);
    }
  } else if (value.length > (VARIABLE_MAX[ai] ?? 90)) {
    return fail('field-too-long', ai);
  }
  return undefined;
}

/** Splits a transmitted element string (AIs run together, GS after variable-length fields). */
export function parseGs1ElementString(s: string): Gs1Parse {
  const elements: Gs1Element[] = [];
  let pos = 0;
  while (pos < s.length) {
    if (s[pos] === GS) {
      // A leading FNC1, a redundant one after a fixed-length field, or a trailing one: harmless.
      pos++;
      continue;
    }
    const firstTwo = s.slice(pos, pos + 2);
    const digits = /^\d\d$/.test(firstTwo) ? aiDigits(firstTwo) : undefined;
    const ai = s.slice(pos, pos + (digits ?? 0));
    if (digits === undefined || ai.length !== digits || !/^\d+$/.test(ai)) {
      return fail('unknown-ai');
    }
    pos += digits;
    const total = PREDEFINED_TOTAL[ai.slice(0, 2)];
    let end: number;
    if (total !== undefined) {
      end = pos + total - digits;
      if (end > s.length) {
        return fail('field-cut-short', ai);
      }
    } else {
      const gs = s.indexOf(GS, pos);
      end = gs < 0 ? s.length : gs;
      if (end - pos > (VARIABLE_MAX[ai] ?? 90)) {
        // The usual cause: the scanner is not configured to transmit FNC1 as GS, so a serial
        // or batch ran into the next AI.
        return fail('missing-separator', ai);
      }
    }
    const value = s.slice(pos, end);
    const problem = checkElement(ai, value);
    if (problem) {
      return problem;
    }
    elements.push({ ai, value });
    pos = end;
  }
  return elements.length > 0 ? { ok: true, elements } : fail('empty');
}

/** Parses the printed form "(01)06901234567892(21)ABC…"; spaces between elements are allowed. */
export function parseGs1Bracketed(s: string): Gs1Parse {
  const compact = s.replace(/\s*([()])\s*/g, '$1').trim();
  if (!/^(\(\d{2,4}\)[^()]+)+$/.test(compact)) {
    return fail('bad-brackets');
  }
  const elements: Gs1Element[] = [];
  for (const m of compact.matchAll(/\((\d{2,4})\)([^()]+)/g)) {
    const [ai, value] = [m[1], m[2]];
    if (aiDigits(ai.slice(0, 2)) !== ai.length) {
      return fail('unknown-ai', ai);
    }
    const problem = checkElement(ai, value);
    if (problem) {
      return problem;
    }
    elements.push({ ai, value });
  }
  return { ok: true, elements };
}

/** The GS1 mod-10 check digit for the digits before it (weights 3, 1, 3, … from the right). */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const weight = (body.length - i) % 2 === 1 ? 3 : 1;
    sum += (body.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** True for a GTIN-8/12/13/14 whose last digit is the right check digit. */
export function isValidGtin(code: string): boolean {
  return /^(\d{8}|\d{12,14})$/.test(code) && gs1CheckDigit(code.slice(0, -1)) === Number(code[code.length - 1]);
}

/**
 * Expiry (17) YYMMDD → 'YYYY-MM-DD'. The century follows GS1's sliding window around the
 * current year (−49…+50 years); day 00 means the last day of the month.
 */
export function gs1Expiry(yymmdd: string, todayIso: string): string | undefined {
  const m = /^(\d\d)(\d\d)(\d\d)$/.exec(yymmdd);
  if (!m) {
    return undefined;
  }
  const [yy, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const currentYear = Number(todayIso.slice(0, 4));
  const diff = yy - (currentYear % 100);
  let century = currentYear - (currentYear % 100);
  if (diff >= 51) {
    century -= 100;
  } else if (diff <= -50) {
    century += 100;
  }
  const year = century + yy;
  if (month < 1 || month > 12) {
    return undefined;
  }
  const last = daysInMonth(year, month);
  if (day > last) {
    return undefined;
  }
  return isoDate(year, month, day === 0 ? last : day);
}

import { toHalfWidth } from './chars';
import { isoDate, isValidDate } from './dates';
import { ProtocolError } from './protocol-error';

/**
 * Resident ID numbers (公民身份号码, GB 11643-1999): 6-digit region, 8-digit birth date,
 * 3-digit sequence, 1 check character. First-generation cards (before 2004) carried 15 digits:
 * a 2-digit year and no check character.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** Check character for (Σ digit × weight) mod 11 = 0..10. */
const CHECK_CHARS = '10X98765432';

/** The check character for 17 ASCII digits. Throws RangeError on anything else. */
export function gb11643CheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new RangeError('gb11643CheckChar needs exactly 17 ASCII digits');
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  }
  return CHECK_CHARS[sum % 11];
}

/**
 * Normalises how an ID number was typed or scanned: surrounding whitespace, full-width digits,
 * lower-case x, and the 15-digit first generation (the century is always 19: those cards were
 * replaced before anyone born in 2000 needed one). Does NOT verify an 18-character number's
 * check character; checkIdNumber does. Throws ProtocolError ID_MALFORMED on anything that is
 * not 18 characters (17 digits + digit or X) or 15 digits.
 */
export function normalizeIdNumber(raw: string): string {
  const s = toHalfWidth(raw).trim().toUpperCase();
  if (/^\d{17}[\dX]$/.test(s)) {
    return s;
  }
  if (/^\d{15}$/.test(s)) {
    const first17 = `${s.slice(0, 6)}19${s.slice(6)}`;
    return first17 + gb11643CheckChar(first17);
  }
  throw new ProtocolError('ID_MALFORMED', '身份证号码应为18位（最后一位可为X）或15位数字', { length: s.length });
}

export type IdNumberCheck =
  | { valid: true; value: string; generation: 1 | 2; birthDate: string }
  | { valid: false; reason: 'malformed' | 'birth-date' | 'check-char'; expected?: string };

/** Full check: shape, a real birth date, and (for 18 characters) the check character. */
export function checkIdNumber(raw: string): IdNumberCheck {
  let value: string;
  try {
    value = normalizeIdNumber(raw);
  } catch {
    return { valid: false, reason: 'malformed' };
  }
  const generation = /^\d{15}$/.test(toHalfWidth(raw).trim()) ? 1 : 2;
  if (value[0] === '0') {
    // Region codes start at 11 (Beijing); a leading 0 is not an ID number.
    return { valid: false, reason: 'malformed' };
  }
  const [y, m, d] = [Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14))];
  if (y < 1800 || !isValidDate(y, m, d)) {
    return { valid: false, reason: 'birth-date' };
  }
  const expected = gb11643CheckChar(value.slice(0, 17));
  if (value[17] !== expected) {
    return { valid: false, reason: 'check-char', expected };
  }
  return { valid: true, value, generation, birthDate: isoDate(y, m, d) };
}

/**
 * GB 32100-2015 unified social credit code (统一社会信用代码) checker.
 *
 * A code is 18 characters from a 31-character alphabet (the digits and the
 * upper-case Latin letters without I, O, Z, S and V, which are too easily
 * confused with digits). The 18th character is a check character computed
 * from the first 17.
 */

/** The GB 32100 alphabet; a character's index is its numeric value. */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export const CREDIT_CODE_LENGTH = 18;

const MODULUS = CREDIT_CODE_ALPHABET.length; // 31

/** Weights for positions 1..17: 3^i mod 31 for i = 0..16, as the standard tabulates them. */
export const CREDIT_CODE_WEIGHTS: readonly number[] = Array.from({ length: CREDIT_CODE_LENGTH - 1 }, (_, i) =>
  powMod(3, i, MODULUS),
);

export type CreditCodeCheck =
  { valid: true } | { valid: false; reason: 'malformed' | 'checksum'; expectedCheck?: string };

/**
 * Checks a printed credit code. Surrounding whitespace is ignored, but nothing
 * else is repaired: lower-case letters are reported as malformed rather than
 * silently upper-cased, because the standard only defines upper-case codes and
 * a lower-case one in the source is itself a data error worth seeing.
 */
export function checkCreditCode(code: string): CreditCodeCheck {
  const trimmed = code.trim();
  if (!isWellFormed(trimmed)) {
    return { valid: false, reason: 'malformed' };
  }
  const expected = computeCheckChar(trimmed.slice(0, CREDIT_CODE_LENGTH - 1));
  if (trimmed[CREDIT_CODE_LENGTH - 1] !== expected) {
    // Some codes issued before the national system was consolidated really do
    // fail the check; callers keep them but must be able to say what was expected.
    return { valid: false, reason: 'checksum', expectedCheck: expected };
  }
  return { valid: true };
}

/**
 * Computes the check character for the first 17 characters of a code, or
 * returns null when they are not 17 characters from the alphabet.
 */
export function computeCreditCodeCheckChar(first17: string): string | null {
  if (first17.length !== CREDIT_CODE_LENGTH - 1 || !allInAlphabet(first17)) {
    return null;
  }
  return computeCheckChar(first17);
}

function computeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < first17.length; i++) {
    sum += CREDIT_CODE_ALPHABET.indexOf(first17[i]) * CREDIT_CODE_WEIGHTS[i];
  }
  return CREDIT_CODE_ALPHABET[(MODULUS - (sum % MODULUS)) % MODULUS];
}

function isWellFormed(code: string): boolean {
  return code.length === CREDIT_CODE_LENGTH && allInAlphabet(code);
}

function allInAlphabet(text: string): boolean {
  for (const ch of text) {
    if (!CREDIT_CODE_ALPHABET.includes(ch)) {
      return false;
    }
  }
  return true;
}

function powMod(base: number, exponent: number, modulus: number): number {
  let result = 1;
  for (let i = 0; i < exponent; i++) {
    result = (result * base) % modulus;
  }
  return result;
}

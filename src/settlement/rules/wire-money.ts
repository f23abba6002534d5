/**
 * Amounts on the insurer's wire are JSON numbers in yuan with at most two decimals (the national
 * interface's convention); inside the gateway they are integer fen. These two functions are the only
 * crossing, and neither does arithmetic on a fractional number.
 */

const YUAN = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/;

/**
 * Integer fen → the yuan number to put in JSON. `fen / 100` is the double nearest to the decimal
 * value, and JSON prints that double with at most two decimals (1234 → 12.34); exact for any amount
 * a hospital can bill (|fen| < 2^53).
 */
export function fenToWire(fen: number): number {
  if (!Number.isSafeInteger(fen)) {
    throw new RangeError(`not an amount in fen: ${fen}`);
  }
  return fen / 100;
}

/**
 * A yuan amount from the wire → integer fen, read from its decimal text (12.34 → 1234); undefined
 * when it is not a number with at most two decimals (a third decimal, an exponent, NaN, a string).
 */
export function wireToFen(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return undefined;
  }
  const m = YUAN.exec(String(value));
  if (!m) {
    return undefined;
  }
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -fen : fen;
}

/** A count held as integer thousandths → the JSON number for `cnt` (1500 → 1.5). */
export function thousandthsToWire(thousandths: number): number {
  if (!Number.isSafeInteger(thousandths)) {
    throw new RangeError(`not a count in thousandths: ${thousandths}`);
  }
  return thousandths / 1000;
}

import { isoToCompact } from '../../../drivers/protocols/dates';

/**
 * Counts, amounts and dates without floating point. A count is a decimal string with at most three
 * decimals, held as integer thousandths; amounts are integer fen; products go through BigInt.
 */

const COUNT = /^(\d{1,9})(?:\.(\d{1,3}))?$/;

/** '1.5' → 1500 thousandths; undefined when malformed or not > 0. */
export function parseCount(count: string): number | undefined {
  const m = COUNT.exec(count);
  if (!m) {
    return undefined;
  }
  const thousandths = Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0'));
  return thousandths > 0 ? thousandths : undefined;
}

/**
 * count × unit price in fen, rounded half up to the fen (四舍五入: 0.5 fen and more rounds up; all
 * values are non-negative, so half up and half away from zero agree). 1.5 × 333 fen = 499.5 → 500.
 */
export function lineAmountFen(countThousandths: number, unitPriceFen: number): number {
  const product = BigInt(countThousandths) * BigInt(unitPriceFen);
  return Number((product + 500n) / 1000n);
}

/**
 * The boxes a drug line dispenses, so the trace codes it needs: the count rounded up. Supplying a
 * fractional count (a split package, 拆零) takes at least ⌈count⌉ boxes, and the insurer accepts at
 * most ⌈count⌉ codes per line (docs/upstream-protocol.md, 2207 `drug_trac_codg`).
 */
export function boxesForCount(countThousandths: number): number {
  return Math.ceil(countThousandths / 1000);
}

/** A non-negative safe integer (fen, days, codes). */
export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** 'yyyy-MM-dd' naming a real day. */
export function isIsoDay(s: string): boolean {
  return isoToCompact(s) !== undefined;
}

/** The sum of integer fen amounts. */
export function sumFen(amounts: readonly number[]): number {
  return amounts.reduce((a, b) => a + b, 0);
}

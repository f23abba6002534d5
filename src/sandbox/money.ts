/**
 * Amounts travel as JSON numbers in yuan with at most two decimals (the national interface's
 * convention). Arithmetic is done in integer cents so "adds up to the cent" is exact.
 */
export function toCents(yuan: number): number | undefined {
  if (!Number.isFinite(yuan)) {
    return undefined;
  }
  const cents = Math.round(yuan * 100);
  // 0.1 + 0.2 style noise is tolerated; a genuine third decimal is not.
  return Math.abs(yuan * 100 - cents) < 1e-6 ? cents : undefined;
}

export function toYuan(cents: number): number {
  return cents / 100;
}

/** cnt × pric rounded half-up to the cent, as a fee line's amount must be. */
export function lineCents(count: number, price: number): number {
  return Math.round(Math.round(count * price * 1e6) / 1e4);
}

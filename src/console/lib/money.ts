/**
 * Money as staff read it. The gateway keeps every amount in integer fen (分); the console shows
 * yuan with a thousands separator and two decimals ("¥1,234.56"), computed on the integer only:
 * never through a float division, so no amount is ever off by a fen.
 */

/** Integer fen → "¥1,234.56" ("-¥12.30" below zero). Anything but a safe integer is refused. */
export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen)) {
    throw new RangeError(`not an integer amount of fen: ${String(fen)}`);
  }
  const negative = fen < 0;
  const digits = String(Math.abs(fen)).padStart(3, '0');
  const yuan = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}¥${yuan}.${digits.slice(-2)}`;
}

/** formatFen for a value the API may leave empty (null: not known yet): "—". */
export function formatFenOrDash(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '—' : formatFen(fen);
}

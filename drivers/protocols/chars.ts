/**
 * A keyboard-wedge scanner types into whatever input method is active; with a Chinese IME in
 * full-width mode "8123…" arrives as "８１２３…". Mapping the full-width ASCII block back
 * (U+FF01–U+FF5E → U+0021–U+007E, ideographic space → space) recovers what was printed.
 */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

/**
 * Text fitting: line breaking and shrinking within a width, measured by a TextMeasurer (the form
 * font, or a fake in tests). Pure: no pdfkit.
 */
export interface TextMeasurer {
  /** Advance width of `text` at `size` points. */
  width(text: string, size: number): number;
  /** Height of one line at `size` points. */
  lineHeight(size: number): number;
}

/** How much a text shrinks per step while it does not fit. */
export const SHRINK_STEP = 0.5;
const TAB_GAP = 16;

/** Width of a line; a tab stands for the gap between its flush-left and flush-right parts. */
export function lineWidth(line: string, size: number, m: TextMeasurer): number {
  const parts = line.split('\t');
  return parts.reduce((s, p) => s + m.width(p, size), 0) + (parts.length - 1) * TAB_GAP;
}

/** Splits text into unbreakable pieces: a Latin word or number stays whole, every other character stands alone. */
function tokens(text: string): string[] {
  return text.match(/[A-Za-z0-9@#%&_.,:;/()+\-'"]+|[\s\S]/gu) ?? [];
}

/** Greedy line breaking at `size` within `width`; explicit newlines always break. */
export function wrapText(text: string, width: number, size: number, m: TextMeasurer): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const token of tokens(paragraph)) {
      if (line === '' && /^\s+$/.test(token)) {
        continue; // no leading blanks on a wrapped line
      }
      if (m.width(line + token, size) <= width) {
        line += token;
        continue;
      }
      if (line !== '') {
        out.push(line.trimEnd());
        line = '';
        if (/^\s+$/.test(token)) {
          continue;
        }
      }
      if (m.width(token, size) <= width) {
        line = token;
        continue;
      }
      // A token wider than the line (a long number): split it by characters.
      for (const ch of token) {
        if (line !== '' && m.width(line + ch, size) > width) {
          out.push(line);
          line = '';
        }
        line += ch;
      }
    }
    out.push(line.trimEnd());
  }
  return out;
}

export interface Fitted {
  size: number;
  lines: string[];
}

/**
 * 'shrink': one line at the largest size from base down to min that fits; if none fits, wrap at min.
 * 'wrap': wrap at `wrapSize` (paragraphs read better unshrunk; the page shrinks them only when tight).
 */
export function fitText(
  text: string,
  width: number,
  fit: 'shrink' | 'wrap',
  base: number,
  min: number,
  wrapSize: number,
  m: TextMeasurer,
): Fitted {
  if (text.includes('\t')) {
    // A split line (`经办人：\t年 月 日`): left part flush left, right part flush right; it shrinks, never wraps.
    let size = base;
    while (size > min && lineWidth(text, size, m) > width) {
      size -= SHRINK_STEP;
    }
    return { size, lines: [text] };
  }
  if (fit === 'wrap') {
    return { size: wrapSize, lines: wrapText(text, width, wrapSize, m) };
  }
  const explicit = text.includes('\n');
  for (let size = base; size >= min - 1e-9; size -= SHRINK_STEP) {
    const lines = text.split('\n');
    if (lines.every((l) => m.width(l, size) <= width)) {
      return { size, lines };
    }
    if (explicit && size === base) {
      // Stacked labels (申请康复\n对象姓名) keep their lines and shrink as a whole.
      continue;
    }
  }
  return { size: min, lines: wrapText(text, width, min, m) };
}

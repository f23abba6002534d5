import { resolveText, type TextContext } from './form-values';
import type { LaidLine, LayoutInput, Rect } from './layout';
import type { Align, FormTemplate } from './template';
import { fitText, type TextMeasurer, wrapText } from './text-fit';

/** Lines of text outside the grid: the title, header lines and footer texts (see layout.ts). */

export function textLines(
  text: string,
  align: Align | undefined,
  size: number,
  x: number,
  width: number,
  y: number,
  gap: number,
  m: TextMeasurer,
): LaidLine[] {
  const lh = m.lineHeight(size);
  return wrapText(text, width, size, m).map((line, i) => {
    const w = m.width(line, size);
    const lx = align === 'center' ? x + (width - w) / 2 : align === 'right' ? x + width - w : x;
    return { x: lx, y: y + i * (lh + gap), size, text: line, width: w };
  });
}

export function bottomOf(lines: LaidLine[], m: TextMeasurer, fallback: number): number {
  return lines.length === 0 ? fallback : Math.max(...lines.map((l) => l.y + m.lineHeight(l.size)));
}

const FRAME_PAD = 4;

/**
 * Template lines (header or footer texts) one below the other from `y`, `gap` apart, skipping those
 * whose flag is not set; answers the lines, the frames of boxed ones and the bottom. A tab splits a
 * line flush left / flush right (it shrinks, never wraps).
 */
export function stackLines(
  lines: FormTemplate['headerLines'],
  ctx: TextContext,
  input: LayoutInput,
  width: number,
  y: number,
  gap: number,
  m: TextMeasurer,
): { lines: LaidLine[]; frames: Rect[]; y: number } {
  const t = input.template;
  const x = t.page.margins.left;
  const out: LaidLine[] = [];
  const frames: Rect[] = [];
  for (const line of lines) {
    if (line.whenFlag !== undefined && !input.flags.has(line.whenFlag)) {
      continue;
    }
    const pad = line.boxed ? FRAME_PAD : 0;
    const text = resolveText(line.text, ctx).text;
    const size = line.size ?? t.font.base;
    const top = y + pad;
    let laid: LaidLine[];
    if (text.includes('\t')) {
      const fitted = fitText(text, width - 2 * pad, 'shrink', size, t.font.min, size, m);
      const [left, right] = [text.slice(0, text.indexOf('\t')), text.slice(text.indexOf('\t') + 1)];
      const wr = m.width(right, fitted.size);
      laid = [
        { x: x + pad, y: top, size: fitted.size, text: left, width: m.width(left, fitted.size) },
        { x: x + width - pad - wr, y: top, size: fitted.size, text: right, width: wr },
      ];
    } else {
      laid = textLines(text, line.align ?? 'left', size, x + pad, width - 2 * pad, top, t.font.lineGap, m);
    }
    out.push(...laid);
    const bottom = bottomOf(laid, m, top) + pad;
    if (line.boxed) {
      frames.push({ x, y, w: width, h: bottom - y });
    }
    y = bottom + gap;
  }
  return { lines: out, frames, y };
}

import { resolveText, TextContext } from './form-values';
import type { LaidLine, LaidSignatureBox, LayoutInput, Rect } from './layout';
import type { Align, BlockSpec, CellSpec, VAlign } from './template';
import { fitText, type Fitted, SHRINK_STEP, type TextMeasurer } from './text-fit';

/** One grid cell: what its text needs (planCell) and where its lines and signature boxes go (placeLines). */
export const PAD_X = 4;
export const PAD_Y = 3;
const BLOCK_GAP = 3;

interface BlockPlan {
  at: 'top' | 'bottom';
  align: Align;
  fitted: Fitted;
  height: number;
  /** For a signature line: the pieces before and after the box. */
  signature?: { before: string; after: string; width: number; height: number; size: number };
  fields: string[];
}

export interface CellPlan {
  cell: CellSpec;
  blocks: BlockPlan[];
  valign: VAlign;
  needed: number;
  fields: string[];
}

function cellBlocks(
  cell: CellSpec,
  ctx: TextContext,
  flags: ReadonlySet<string>,
): (BlockSpec & { resolved: string; fields: string[] })[] {
  const simple = (text: string, fields: string[]): (BlockSpec & { resolved: string; fields: string[] })[] => [
    { text, resolved: text, fields, align: cell.align, fit: cell.fit },
  ];
  if (cell.label !== undefined) {
    return simple(cell.label, []);
  }
  if (cell.field !== undefined) {
    const r = resolveText(`{${cell.field}}`, ctx);
    return simple(r.text, r.fields);
  }
  if (cell.fields !== undefined) {
    const parts = cell.fields.map((f) => resolveText(`{${f}}`, ctx).text).filter((t) => t !== '');
    return simple(parts.join(cell.separator ?? '；'), cell.fields);
  }
  if (cell.item !== undefined) {
    return simple(resolveText(`{item.${cell.item}}`, ctx).text, []);
  }
  if (cell.text !== undefined) {
    const r = resolveText(cell.text, ctx);
    return simple(r.text, r.fields);
  }
  const out: (BlockSpec & { resolved: string; fields: string[] })[] = [];
  for (const block of cell.blocks ?? []) {
    if (block.whenFlag !== undefined && !flags.has(block.whenFlag)) {
      continue;
    }
    const r = resolveText(block.text, ctx);
    if (block.omitWhenEmpty && r.empty) {
      continue;
    }
    out.push({
      ...block,
      align: block.align ?? cell.align,
      fit: block.fit ?? cell.fit,
      resolved: r.text,
      fields: r.fields,
    });
  }
  return out;
}

export function planCell(
  cell: CellSpec,
  width: number,
  ctx: TextContext,
  input: LayoutInput,
  wrapSize: number,
  m: TextMeasurer,
  row: { padY?: number; size?: number } = {},
): CellPlan {
  const { min } = input.template.font;
  const base = row.size ?? input.template.font.base;
  const padY = row.padY ?? PAD_Y;
  const innerW = Math.max(1, width - 2 * PAD_X);
  const isBlocks = cell.blocks !== undefined;
  const blocks: BlockPlan[] = [];
  for (const b of cellBlocks(cell, ctx, input.flags)) {
    const align = b.align ?? (isBlocks ? 'left' : 'center');
    const fit = b.fit ?? (isBlocks ? 'wrap' : 'shrink');
    if (b.signature) {
      const after = b.signature.after !== undefined ? resolveText(b.signature.after, ctx).text : '';
      // The line is text + box + date; it shrinks as a whole and never wraps (it is one line on paper).
      let size = base;
      while (size > min && m.width(b.resolved, size) + b.signature.width + m.width(after, size) + 8 > innerW) {
        size -= SHRINK_STEP;
      }
      const h = Math.max(m.lineHeight(size), b.signature.height);
      blocks.push({
        at: b.at ?? 'bottom',
        align,
        fitted: { size, lines: [] },
        height: h,
        signature: { before: b.resolved, after, width: b.signature.width, height: b.signature.height, size },
        fields: b.fields,
      });
      continue;
    }
    const fitted = fitText(b.resolved, innerW, fit, base, min, Math.max(min, Math.min(base, wrapSize)), m);
    const height =
      fitted.lines.length * m.lineHeight(fitted.size) + (fitted.lines.length - 1) * input.template.font.lineGap;
    blocks.push({ at: b.at ?? 'top', align, fitted, height, fields: b.fields });
  }
  const tops = blocks.filter((b) => b.at === 'top');
  const bottoms = blocks.filter((b) => b.at === 'bottom');
  const sum = (bs: BlockPlan[]): number =>
    bs.reduce((s, b) => s + b.height, 0) + Math.max(0, bs.length - 1) * BLOCK_GAP;
  const needed = sum(tops) + sum(bottoms) + (tops.length > 0 && bottoms.length > 0 ? BLOCK_GAP * 2 : 0) + 2 * padY;
  return {
    cell,
    blocks,
    valign: cell.valign ?? (isBlocks ? 'top' : 'middle'),
    needed,
    fields: [...new Set(blocks.flatMap((b) => b.fields))],
  };
}

export function placeLines(
  plan: CellPlan,
  rect: Rect,
  input: LayoutInput,
  m: TextMeasurer,
  boxes: LaidSignatureBox[],
  cellIndex: number,
  padY = PAD_Y,
): LaidLine[] {
  const inner = { x: rect.x + PAD_X, y: rect.y + padY, w: rect.w - 2 * PAD_X, h: rect.h - 2 * padY };
  const out: LaidLine[] = [];
  const xFor = (w: number, align: Align): number =>
    align === 'left' ? inner.x : align === 'right' ? inner.x + inner.w - w : inner.x + (inner.w - w) / 2;
  const drawBlock = (b: BlockPlan, top: number): void => {
    if (b.signature) {
      const s = b.signature;
      const wb = m.width(s.before, s.size);
      const wa = m.width(s.after, s.size);
      const total = wb + 4 + s.width + 4 + wa;
      const x0 = xFor(total, b.align);
      const textTop = top + b.height - m.lineHeight(s.size);
      if (s.before !== '') {
        out.push({ x: x0, y: textTop, size: s.size, text: s.before, width: wb });
      }
      boxes.push({ x: x0 + wb + 4, y: top + b.height - s.height, w: s.width, h: s.height, cellIndex });
      if (s.after !== '') {
        out.push({ x: x0 + wb + 8 + s.width, y: textTop, size: s.size, text: s.after, width: wa });
      }
      return;
    }
    const lh = m.lineHeight(b.fitted.size);
    b.fitted.lines.forEach((line, i) => {
      const ly = top + i * (lh + input.template.font.lineGap);
      const tab = line.indexOf('\t');
      if (tab >= 0) {
        const left = line.slice(0, tab);
        const right = line.slice(tab + 1);
        const wl = m.width(left, b.fitted.size);
        const wr = m.width(right, b.fitted.size);
        out.push({ x: inner.x, y: ly, size: b.fitted.size, text: left, width: wl });
        out.push({ x: inner.x + inner.w - wr, y: ly, size: b.fitted.size, text: right, width: wr });
        return;
      }
      const w = m.width(line, b.fitted.size);
      out.push({ x: xFor(w, b.align), y: ly, size: b.fitted.size, text: line, width: w });
    });
  };
  const tops = plan.blocks.filter((b) => b.at === 'top');
  const bottoms = plan.blocks.filter((b) => b.at === 'bottom');
  const topHeight = tops.reduce((s, b) => s + b.height, 0) + Math.max(0, tops.length - 1) * BLOCK_GAP;
  let y =
    plan.valign === 'top' || bottoms.length > 0
      ? inner.y
      : plan.valign === 'bottom'
        ? inner.y + inner.h - topHeight
        : inner.y + (inner.h - topHeight) / 2;
  for (const b of tops) {
    drawBlock(b, y);
    y += b.height + BLOCK_GAP;
  }
  let yb = inner.y + inner.h;
  for (const b of [...bottoms].reverse()) {
    yb -= b.height;
    drawBlock(b, yb);
    yb -= BLOCK_GAP;
  }
  return out;
}

import { BadRequestError } from '../../platform/errors/domain-error';
import { FormValues, resolveText, TextContext } from './form-values';
import { Align, BlockSpec, CellSpec, FormTemplate, VAlign } from './template';

/**
 * The layout model: where every line of text, every cell border and every signature box goes,
 * in points from the page's top-left. Pure (no pdfkit), so fitting can be tested without pixels;
 * the renderer only draws what this computes.
 */
export interface TextMeasurer {
  /** Advance width of `text` at `size` points. */
  width(text: string, size: number): number;
  /** Height of one line at `size` points. */
  lineHeight(size: number): number;
}

export interface LaidLine {
  x: number;
  /** Top of the line box. */
  y: number;
  size: number;
  text: string;
  width: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface LaidCell {
  rect: Rect;
  /** The inner box text must stay inside. */
  inner: Rect;
  lines: LaidLine[];
  /** Fields whose values this cell shows (for errors and tests). */
  fields: string[];
}

export interface LaidSignatureBox extends Rect {
  /** Where the signature image is placed (the box itself). */
  cellIndex: number;
}

export interface FormLayout {
  page: { width: number; height: number };
  title: LaidLine[];
  header: LaidLine[];
  cells: LaidCell[];
  footerTexts: LaidLine[];
  footer: LaidLine[];
  signatureBoxes: LaidSignatureBox[];
  /** The size wrap-fit texts were laid at (smaller than base when the page was tight). */
  wrapSize: number;
}

export interface LayoutInput {
  template: FormTemplate;
  values: FormValues;
  flags: ReadonlySet<string>;
  signatureDate?: string;
  footer?: string;
}

const A4 = { width: 595.28, height: 841.89 };
const PAD_X = 4;
const PAD_Y = 3;
const BLOCK_GAP = 3;
const SHRINK_STEP = 0.5;

/** 400 FORM_TEXT_TOO_LONG: the filled form cannot fit its page even at the smallest size. */
export class FormTextTooLongError extends BadRequestError {
  constructor(fields: string[]) {
    super(
      'FORM_TEXT_TOO_LONG',
      '表单内容过长，最小字号下也无法排入一页，请精简所列字段的文字',
      fields.map((field) => ({ field, code: 'FORM_TEXT_TOO_LONG', message: '文字过长，请精简' })),
    );
  }
}

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

interface Fitted {
  size: number;
  lines: string[];
}

/**
 * 'shrink': one line at the largest size from base down to min that fits; if none fits, wrap at min.
 * 'wrap': wrap at `wrapSize` (paragraphs read better unshrunk; the page shrinks them only when tight).
 */
export function fitText(text: string, width: number, fit: 'shrink' | 'wrap', base: number, min: number, wrapSize: number, m: TextMeasurer): Fitted {
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

interface BlockPlan {
  at: 'top' | 'bottom';
  align: Align;
  fitted: Fitted;
  height: number;
  /** For a signature line: the pieces before and after the box. */
  signature?: { before: string; after: string; width: number; height: number; size: number };
  fields: string[];
}

interface CellPlan {
  cell: CellSpec;
  blocks: BlockPlan[];
  valign: VAlign;
  needed: number;
  fields: string[];
}

function cellBlocks(cell: CellSpec, ctx: TextContext, flags: ReadonlySet<string>): (BlockSpec & { resolved: string; fields: string[] })[] {
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
    out.push({ ...block, align: block.align ?? cell.align, fit: block.fit ?? cell.fit, resolved: r.text, fields: r.fields });
  }
  return out;
}

function planCell(cell: CellSpec, width: number, ctx: TextContext, input: LayoutInput, wrapSize: number, m: TextMeasurer): CellPlan {
  const { base, min } = input.template.font;
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
    const height = fitted.lines.length * m.lineHeight(fitted.size) + (fitted.lines.length - 1) * input.template.font.lineGap;
    blocks.push({ at: b.at ?? 'top', align, fitted, height, fields: b.fields });
  }
  const tops = blocks.filter((b) => b.at === 'top');
  const bottoms = blocks.filter((b) => b.at === 'bottom');
  const sum = (bs: BlockPlan[]): number => bs.reduce((s, b) => s + b.height, 0) + Math.max(0, bs.length - 1) * BLOCK_GAP;
  const needed = sum(tops) + sum(bottoms) + (tops.length > 0 && bottoms.length > 0 ? BLOCK_GAP * 2 : 0) + 2 * PAD_Y;
  return {
    cell,
    blocks,
    valign: cell.valign ?? (isBlocks ? 'top' : 'middle'),
    needed,
    fields: [...new Set(blocks.flatMap((b) => b.fields))],
  };
}

function placeLines(plan: CellPlan, rect: Rect, input: LayoutInput, m: TextMeasurer, boxes: LaidSignatureBox[], cellIndex: number): LaidLine[] {
  const inner = { x: rect.x + PAD_X, y: rect.y + PAD_Y, w: rect.w - 2 * PAD_X, h: rect.h - 2 * PAD_Y };
  const out: LaidLine[] = [];
  const xFor = (w: number, align: Align): number => (align === 'left' ? inner.x : align === 'right' ? inner.x + inner.w - w : inner.x + (inner.w - w) / 2);
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
  let y = plan.valign === 'top' || bottoms.length > 0 ? inner.y : plan.valign === 'bottom' ? inner.y + inner.h - topHeight : inner.y + (inner.h - topHeight) / 2;
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

function textLines(text: string, align: Align | undefined, size: number, x: number, width: number, y: number, gap: number, m: TextMeasurer): LaidLine[] {
  const lh = m.lineHeight(size);
  return wrapText(text, width, size, m).map((line, i) => {
    const w = m.width(line, size);
    const lx = align === 'center' ? x + (width - w) / 2 : align === 'right' ? x + width - w : x;
    return { x: lx, y: y + i * (lh + gap), size, text: line, width: w };
  });
}

function bottomOf(lines: LaidLine[], m: TextMeasurer, fallback: number): number {
  return lines.length === 0 ? fallback : Math.max(...lines.map((l) => l.y + m.lineHeight(l.size)));
}

function layoutAt(input: LayoutInput, wrapSize: number, m: TextMeasurer): { layout: FormLayout; overflow: boolean; tallest: string[] } {
  const t = input.template;
  const { margins } = t.page;
  const width = A4.width - margins.left - margins.right;
  const ctxBase: TextContext = { values: input.values, signatureDate: input.signatureDate };

  const title = textLines(t.title, 'center', t.font.title, margins.left, width, margins.top, t.font.lineGap, m);
  let y = bottomOf(title, m, margins.top) + 10;
  const header: LaidLine[] = [];
  for (const line of t.headerLines) {
    const laid = textLines(resolveText(line.text, ctxBase).text, line.align ?? 'left', t.font.base, margins.left, width, y, t.font.lineGap, m);
    header.push(...laid);
    y = bottomOf(laid, m, y) + 4;
  }
  y += 2;

  const totalUnits = t.columns.reduce((s, c) => s + c, 0);
  const colX: number[] = [margins.left];
  for (const c of t.columns) {
    colX.push(colX[colX.length - 1] + (c / totalUnits) * width);
  }

  // Expand repeat rows into one row per element.
  const rows: { spec: (typeof t.rows)[number]; item?: Record<string, string> }[] = [];
  for (const spec of t.rows) {
    if (spec.repeat === undefined) {
      rows.push({ spec });
      continue;
    }
    const items = input.values[spec.repeat];
    (Array.isArray(items) ? items : []).forEach((item, i) => rows.push({ spec, item: { ...item, '#': String(i + 1) } }));
  }

  // Place cells on the grid, then size rows: a row is as tall as its tallest single-row cell;
  // a rowSpan cell that needs more than its rows gets the difference on its last row.
  interface Placed {
    plan: CellPlan;
    row: number;
    col: number;
    span: number;
    rowSpan: number;
  }
  const placed: Placed[] = [];
  let carried: number[] = t.columns.map(() => 0);
  rows.forEach((row, r) => {
    const next = carried.map((n) => Math.max(0, n - 1));
    let col = 0;
    for (const cell of row.spec.cells) {
      while (carried[col] > 0) {
        col++;
      }
      const span = cell.span ?? 1;
      const rowSpan = cell.rowSpan ?? 1;
      const plan = planCell(cell, colX[col + span] - colX[col], { ...ctxBase, item: row.item }, input, wrapSize, m);
      placed.push({ plan, row: r, col, span, rowSpan });
      for (let k = col; k < col + span; k++) {
        if (rowSpan > 1) {
          next[k] = rowSpan - 1;
        }
      }
      col += span;
    }
    carried = next;
  });
  const heights = rows.map((row) => row.spec.minHeight);
  for (const p of placed.filter((x) => x.rowSpan === 1)) {
    heights[p.row] = Math.max(heights[p.row], p.plan.needed);
  }
  for (const p of placed.filter((x) => x.rowSpan > 1)) {
    const have = heights.slice(p.row, p.row + p.rowSpan).reduce((s, h) => s + h, 0);
    if (have < p.plan.needed) {
      heights[p.row + p.rowSpan - 1] += p.plan.needed - have;
    }
  }
  const rowY: number[] = [y];
  for (const h of heights) {
    rowY.push(rowY[rowY.length - 1] + h);
  }

  const cells: LaidCell[] = [];
  const signatureBoxes: LaidSignatureBox[] = [];
  for (const p of placed) {
    const rect = { x: colX[p.col], y: rowY[p.row], w: colX[p.col + p.span] - colX[p.col], h: rowY[p.row + p.rowSpan] - rowY[p.row] };
    const lines = placeLines(p.plan, rect, input, m, signatureBoxes, cells.length);
    cells.push({ rect, inner: { x: rect.x + PAD_X, y: rect.y + PAD_Y, w: rect.w - 2 * PAD_X, h: rect.h - 2 * PAD_Y }, lines, fields: p.plan.fields });
  }

  let fy = rowY[rowY.length - 1] + 6;
  const footerTexts: LaidLine[] = [];
  for (const line of t.footerTexts) {
    const laid = textLines(resolveText(line.text, ctxBase).text, line.align ?? 'left', t.font.base, margins.left, width, fy, t.font.lineGap, m);
    footerTexts.push(...laid);
    fy = bottomOf(laid, m, fy) + 3;
  }
  const contentBottom = bottomOf(footerTexts, m, rowY[rowY.length - 1]);
  const footer = input.footer
    ? textLines(input.footer, 'center', t.font.small, margins.left, width, A4.height - margins.bottom + 8, 0, m)
    : [];

  const overflow = contentBottom > A4.height - margins.bottom;
  const tallest = placed
    .filter((p) => p.plan.needed > rows[p.row].spec.minHeight && p.plan.fields.length > 0)
    .sort((a, b) => b.plan.needed - a.plan.needed)
    .flatMap((p) => p.plan.fields);
  return {
    layout: { page: A4, title, header, cells, footerTexts, footer, signatureBoxes, wrapSize },
    overflow,
    tallest: [...new Set(tallest)],
  };
}

/**
 * Lays a filled form out on one A4 page. Paragraphs wrap at the base size; when the page would
 * overflow they shrink step by step down to the template's minimum, and past that the form is
 * refused (FORM_TEXT_TOO_LONG naming the fields) rather than drawn outside its cells.
 */
export function layoutForm(input: LayoutInput, m: TextMeasurer): FormLayout {
  const { base, min } = input.template.font;
  let last: ReturnType<typeof layoutAt> | undefined;
  for (let size = base; size >= min - 1e-9; size -= SHRINK_STEP) {
    last = layoutAt(input, size, m);
    if (!last.overflow) {
      return last.layout;
    }
  }
  throw new FormTextTooLongError(last!.tallest.length > 0 ? last!.tallest : ['values']);
}

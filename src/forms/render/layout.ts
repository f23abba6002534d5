import { formTextTooLong } from '../forms.errors';
import { type CellPlan, PAD_X, PAD_Y, placeLines, planCell } from './cell-layout';
import { FormValues, resolveText, TextContext } from './form-values';
import type { Align, FormTemplate, RowSpec } from './template';
import { SHRINK_STEP, type TextMeasurer, wrapText } from './text-fit';

/**
 * The layout model: where every line of text, every cell border and every signature box goes,
 * in points from the page's top-left. Pure (no pdfkit), so fitting can be tested without pixels;
 * the renderer only draws what this computes.
 */
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

function textLines(
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

function bottomOf(lines: LaidLine[], m: TextMeasurer, fallback: number): number {
  return lines.length === 0 ? fallback : Math.max(...lines.map((l) => l.y + m.lineHeight(l.size)));
}

/** Template lines (header or footer texts) one below the other from `y`, `gap` apart; answers the lines and the bottom. */
function stackLines(
  lines: FormTemplate['headerLines'],
  ctx: TextContext,
  t: FormTemplate,
  width: number,
  y: number,
  gap: number,
  m: TextMeasurer,
): { lines: LaidLine[]; y: number } {
  const out: LaidLine[] = [];
  for (const line of lines) {
    const laid = textLines(
      resolveText(line.text, ctx).text,
      line.align ?? 'left',
      t.font.base,
      t.page.margins.left,
      width,
      y,
      t.font.lineGap,
      m,
    );
    out.push(...laid);
    y = bottomOf(laid, m, y) + gap;
  }
  return { lines: out, y };
}

interface GridRow {
  spec: RowSpec;
  item?: Record<string, string>;
}

interface Placed {
  plan: CellPlan;
  row: number;
  col: number;
  span: number;
  rowSpan: number;
}

/** Repeat rows expanded into one row per element of their table field. */
function expandRows(t: FormTemplate, values: FormValues): GridRow[] {
  const rows: GridRow[] = [];
  for (const spec of t.rows) {
    if (spec.repeat === undefined) {
      rows.push({ spec });
      continue;
    }
    const items = values[spec.repeat];
    (Array.isArray(items) ? items : []).forEach((item, i) =>
      rows.push({ spec, item: { ...item, '#': String(i + 1) } }),
    );
  }
  return rows;
}

/** Every cell on the grid (skipping columns a rowSpan above still covers), with what its text needs. */
function placeCells(
  rows: GridRow[],
  colX: number[],
  ctx: TextContext,
  input: LayoutInput,
  wrapSize: number,
  m: TextMeasurer,
): Placed[] {
  const placed: Placed[] = [];
  let carried: number[] = input.template.columns.map(() => 0);
  rows.forEach((row, r) => {
    const next = carried.map((n) => Math.max(0, n - 1));
    let col = 0;
    for (const cell of row.spec.cells) {
      while (carried[col] > 0) {
        col++;
      }
      const span = cell.span ?? 1;
      const rowSpan = cell.rowSpan ?? 1;
      const plan = planCell(cell, colX[col + span] - colX[col], { ...ctx, item: row.item }, input, wrapSize, m);
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
  return placed;
}

/**
 * The top of every row and the grid's bottom: a row is as tall as its tallest single-row cell;
 * a rowSpan cell that needs more than its rows gets the difference on its last row.
 */
function rowTops(rows: GridRow[], placed: Placed[], y: number): number[] {
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
  return rowY;
}

function layoutAt(
  input: LayoutInput,
  wrapSize: number,
  m: TextMeasurer,
): { layout: FormLayout; overflow: boolean; tallest: string[] } {
  const t = input.template;
  const { margins } = t.page;
  const width = A4.width - margins.left - margins.right;
  const ctxBase: TextContext = { values: input.values, signatureDate: input.signatureDate };

  const title = textLines(t.title, 'center', t.font.title, margins.left, width, margins.top, t.font.lineGap, m);
  const header = stackLines(t.headerLines, ctxBase, t, width, bottomOf(title, m, margins.top) + 10, 4, m);
  const y = header.y + 2;

  const totalUnits = t.columns.reduce((s, c) => s + c, 0);
  const colX: number[] = [margins.left];
  for (const c of t.columns) {
    colX.push(colX[colX.length - 1] + (c / totalUnits) * width);
  }
  const rows = expandRows(t, input.values);
  const placed = placeCells(rows, colX, ctxBase, input, wrapSize, m);
  const rowY = rowTops(rows, placed, y);

  const cells: LaidCell[] = [];
  const signatureBoxes: LaidSignatureBox[] = [];
  for (const p of placed) {
    const rect = {
      x: colX[p.col],
      y: rowY[p.row],
      w: colX[p.col + p.span] - colX[p.col],
      h: rowY[p.row + p.rowSpan] - rowY[p.row],
    };
    const lines = placeLines(p.plan, rect, input, m, signatureBoxes, cells.length);
    cells.push({
      rect,
      inner: { x: rect.x + PAD_X, y: rect.y + PAD_Y, w: rect.w - 2 * PAD_X, h: rect.h - 2 * PAD_Y },
      lines,
      fields: p.plan.fields,
    });
  }

  const footerTexts = stackLines(t.footerTexts, ctxBase, t, width, rowY[rowY.length - 1] + 6, 3, m).lines;
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
    layout: { page: A4, title, header: header.lines, cells, footerTexts, footer, signatureBoxes, wrapSize },
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
  throw formTextTooLong(last!.tallest.length > 0 ? last!.tallest : ['values']);
}

import { formTextTooLong } from '../forms.errors';
import { type CellPlan, PAD_X, PAD_Y, placeLines, planCell } from './cell-layout';
import { FormValues, TextContext } from './form-values';
import type { FormTemplate, RowSpec } from './template';
import { SHRINK_STEP, type TextMeasurer } from './text-fit';
import { bottomOf, stackLines, textLines } from './text-lines';

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

/** What one page shows. */
export interface PageLayout {
  title: LaidLine[];
  header: LaidLine[];
  /** Frames drawn around `boxed` header or footer lines (a banner). */
  frames: Rect[];
  cells: LaidCell[];
  footerTexts: LaidLine[];
  /** Small print at the page foot: the page number of a paginated template, then the request's footer. */
  footer: LaidLine[];
  signatureBoxes: LaidSignatureBox[];
}

/**
 * A laid-out form. Its own page parts are those of the first page (the only page of a one-page
 * form); `pages` holds every page, the first included.
 */
export interface FormLayout extends PageLayout {
  page: { width: number; height: number };
  pages: PageLayout[];
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
      const plan = planCell(
        cell,
        colX[col + span] - colX[col],
        { ...ctx, item: row.item },
        input,
        wrapSize,
        m,
        row.spec,
      );
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
 * The height of every row: a row is as tall as its tallest single-row cell; a rowSpan cell that
 * needs more than its rows gets the difference on its last row.
 */
function rowHeights(rows: GridRow[], placed: Placed[]): number[] {
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
  return heights;
}

interface Grid {
  rows: GridRow[];
  placed: Placed[];
  heights: number[];
  colX: number[];
}

/**
 * Draws the rows `order` (indices into the grid, top to bottom; rows a rowSpan covers must follow
 * each other) from `top`; answers the cells, the signature boxes and the bottom.
 */
function placeRows(
  grid: Grid,
  order: number[],
  top: number,
  input: LayoutInput,
  m: TextMeasurer,
): { cells: LaidCell[]; signatureBoxes: LaidSignatureBox[]; bottom: number } {
  const at = new Map<number, number>();
  const pos: number[] = [top];
  order.forEach((r, k) => {
    at.set(r, k);
    pos.push(pos[k] + grid.heights[r]);
  });
  const cells: LaidCell[] = [];
  const signatureBoxes: LaidSignatureBox[] = [];
  for (const p of grid.placed) {
    const k = at.get(p.row);
    if (k === undefined) {
      continue;
    }
    const rect = {
      x: grid.colX[p.col],
      y: pos[k],
      w: grid.colX[p.col + p.span] - grid.colX[p.col],
      h: pos[k + p.rowSpan] - pos[k],
    };
    const padY = grid.rows[p.row].spec.padY ?? PAD_Y;
    const lines = placeLines(p.plan, rect, input, m, signatureBoxes, cells.length, padY);
    cells.push({
      rect,
      inner: { x: rect.x + PAD_X, y: rect.y + padY, w: rect.w - 2 * PAD_X, h: rect.h - 2 * padY },
      lines,
      fields: p.plan.fields,
    });
  }
  return { cells, signatureBoxes, bottom: pos[pos.length - 1] };
}

/**
 * Which grid rows each page shows, top to bottom (paginated templates; see PaginationSpec), or
 * undefined when some page cannot hold what must go on it.
 */
function paginate(t: FormTemplate, grid: Grid, available: number, trailerExtra: number): number[][] | undefined {
  const repeatIndex = t.rows.findIndex((row) => row.repeat !== undefined);
  const part = (r: number): number => Math.sign(t.rows.indexOf(grid.rows[r].spec) - repeatIndex);
  const all = grid.rows.map((_, r) => r);
  const lead = all.filter((r) => part(r) < 0);
  const body = all.filter((r) => part(r) === 0);
  const trailer = all.filter((r) => part(r) > 0);
  const everyPage = lead.filter((r) => grid.rows[r].spec.everyPage);
  const h = (rs: number[]): number => rs.reduce((s, r) => s + grid.heights[r], 0);

  const pages: number[][] = [[...lead]];
  let bodyOnPage = 0;
  for (const r of body) {
    const page = pages[pages.length - 1];
    if (h(page) + grid.heights[r] > available && (bodyOnPage > 0 || pages.length === 1)) {
      pages.push([...everyPage]);
      bodyOnPage = 0;
    }
    pages[pages.length - 1].push(r);
    bodyOnPage++;
  }
  const last = pages[pages.length - 1];
  if (h(last) + h(trailer) + trailerExtra > available) {
    // The totals go to a new page and take the last element along, so they never stand alone.
    const moved = bodyOnPage > 1 ? [last.pop()!] : [];
    pages.push([...everyPage, ...moved]);
  }
  pages[pages.length - 1].push(...trailer);
  const lastPage = pages[pages.length - 1];
  const fits = pages.every((page) => h(page) + (page === lastPage ? trailerExtra : 0) <= available);
  return fits ? pages : undefined;
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
  const header = stackLines(t.headerLines, ctxBase, input, width, bottomOf(title, m, margins.top) + 10, 4, m);
  const y = header.y + 2;

  const totalUnits = t.columns.reduce((s, c) => s + c, 0);
  const colX: number[] = [margins.left];
  for (const c of t.columns) {
    colX.push(colX[colX.length - 1] + (c / totalUnits) * width);
  }
  const rows = expandRows(t, input.values);
  const placed = placeCells(rows, colX, ctxBase, input, wrapSize, m);
  const grid: Grid = { rows, placed, heights: rowHeights(rows, placed), colX };
  const bottom = A4.height - margins.bottom;
  const tallest = [
    ...new Set(
      placed
        .filter((p) => p.plan.needed > rows[p.row].spec.minHeight && p.plan.fields.length > 0)
        .sort((a, b) => b.plan.needed - a.plan.needed)
        .flatMap((p) => p.plan.fields),
    ),
  ];

  const footerHeight = (): number => {
    const stacked = stackLines(t.footerTexts, ctxBase, input, width, 0, 3, m);
    return stacked.lines.length === 0 ? 0 : bottomOf(stacked.lines, m, 0) + 6;
  };
  const order = t.pagination ? paginate(t, grid, bottom - y, footerHeight()) : [rows.map((_, r) => r)];
  if (!order) {
    return { layout: emptyLayout(wrapSize), overflow: true, tallest };
  }
  const pages = order.map((rowsOfPage, index): PageLayout => {
    const placedRows = placeRows(grid, rowsOfPage, y, input, m);
    const isLast = index === order.length - 1;
    const footerTexts = isLast
      ? stackLines(t.footerTexts, ctxBase, input, width, placedRows.bottom + 6, 3, m)
      : { lines: [], frames: [], y: placedRows.bottom };
    const small: string[] = [];
    if (t.pagination) {
      const pageNo = t.pagination.pageNumber
        .replace(/\{page\}/g, String(index + 1))
        .replace(/\{pages\}/g, String(order.length));
      small.push(pageNo);
    }
    if (input.footer) {
      small.push(input.footer);
    }
    const footer = small.flatMap((text, i) =>
      textLines(
        text,
        'center',
        t.font.small,
        margins.left,
        width,
        bottom + 8 + i * (m.lineHeight(t.font.small) + 2),
        0,
        m,
      ),
    );
    return {
      title,
      header: header.lines,
      frames: [...header.frames, ...footerTexts.frames],
      cells: placedRows.cells,
      footerTexts: footerTexts.lines,
      footer,
      signatureBoxes: placedRows.signatureBoxes,
    };
  });
  const last = pages[pages.length - 1];
  const contentBottom = Math.max(bottomOf(last.footerTexts, m, 0), ...last.cells.map((c) => c.rect.y + c.rect.h));
  return {
    layout: { ...pages[0], page: A4, pages, wrapSize },
    overflow: contentBottom > bottom,
    tallest,
  };
}

function emptyLayout(wrapSize: number): FormLayout {
  const page: PageLayout = {
    title: [],
    header: [],
    frames: [],
    cells: [],
    footerTexts: [],
    footer: [],
    signatureBoxes: [],
  };
  return { ...page, page: A4, pages: [page], wrapSize };
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

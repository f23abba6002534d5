import type { FontSizes, PageSpec, PaginationSpec, RowSpec } from './template';
import { placeholders } from './template';
import type { Checker, Json } from './template-checker';

/** The page-level parts of a template: pagination, margins, font sizes (see template-parser.ts). */

/**
 * A paginated template has exactly one repeat row (what flows); its `everyPage` rows come right
 * above it, and no rowSpan reaches into or out of the flowing part (a page may break around it).
 */
export function parsePagination(c: Checker, raw: Json, rows: RowSpec[]): PaginationSpec {
  const o = c.object(raw, 'pagination');
  c.keys(o, 'pagination', ['pageNumber']);
  const pageNumber = c.string(o.pageNumber, 'pagination.pageNumber')!;
  for (const p of placeholders(pageNumber)) {
    if (!['page', 'pages'].includes(p.ref) || p.filter !== undefined) {
      c.fail('pagination.pageNumber', `${p.raw}: only {page} and {pages} may appear here`);
    }
  }
  const repeats = rows.flatMap((row, r) => (row.repeat !== undefined ? [r] : []));
  if (repeats.length !== 1) {
    c.fail('pagination', `a paginated template needs exactly one repeat row (it has ${repeats.length})`);
  }
  const body = repeats[0];
  let headerStart = body;
  while (headerStart > 0 && rows[headerStart - 1].everyPage) {
    headerStart--;
  }
  rows.forEach((row, r) => {
    if (row.everyPage && (r < headerStart || r > body)) {
      c.fail(`rows[${r}].everyPage`, 'the rows repeated on every page must come right above the repeat row');
    }
    if (row.everyPage && row.repeat !== undefined) {
      c.fail(`rows[${r}].everyPage`, 'the repeat row flows; it is not repeated on every page');
    }
    const reach = r + Math.max(...row.cells.map((cell) => cell.rowSpan ?? 1)) - 1;
    if (reach > r && r < body && reach >= headerStart) {
      c.fail(`rows[${r}]`, 'a rowSpan may not reach the rows repeated on every page or the repeat row');
    }
    if (reach > r && r > body) {
      c.fail(`rows[${r}]`, 'a rowSpan is not allowed below the repeat row of a paginated template');
    }
  });
  return { pageNumber };
}

export function parseMargins(c: Checker, raw: Json): PageSpec['margins'] {
  const pageObj = c.object(raw, 'page');
  c.keys(pageObj, 'page', ['size', 'margins']);
  c.oneOf(pageObj.size, 'page.size', ['A4'] as const, false);
  const m = c.object(pageObj.margins, 'page.margins');
  c.keys(m, 'page.margins', ['top', 'right', 'bottom', 'left']);
  return {
    top: c.number(m.top, 'page.margins.top')!,
    right: c.number(m.right, 'page.margins.right')!,
    bottom: c.number(m.bottom, 'page.margins.bottom')!,
    left: c.number(m.left, 'page.margins.left')!,
  };
}

export function parseFont(c: Checker, raw: Json): FontSizes {
  const f = c.object(raw, 'font');
  c.keys(f, 'font', ['title', 'base', 'min', 'small', 'lineGap']);
  const font: FontSizes = {
    title: c.number(f.title, 'font.title', false, 4)!,
    base: c.number(f.base, 'font.base', false, 4)!,
    min: c.number(f.min, 'font.min', false, 4)!,
    small: c.number(f.small, 'font.small', false, 4)!,
    lineGap: c.number(f.lineGap, 'font.lineGap')!,
  };
  if (font.min > font.base) {
    c.fail('font.min', 'must not exceed font.base');
  }
  return font;
}

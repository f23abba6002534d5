/**
 * A form template: the data a form is drawn from. The renderer knows nothing of any specific
 * form; everything a form shows (labels, fixed texts, where each value goes, flags) is here.
 * Every key is documented in docs/forms.md.
 */
export interface FormTemplate {
  kind: string;
  title: string;
  page: PageSpec;
  font: FontSizes;
  /** Lines between the title and the grid, e.g. `单位名称：{unitName}`. */
  headerLines: TextLine[];
  /** Relative widths of the grid's columns; every row spans all of them. */
  columns: number[];
  rows: RowSpec[];
  /** Fixed paragraphs below the grid (e.g. 本表一式三份…). */
  footerTexts: TextLine[];
  /** Every field the form takes: what validation checks and what the character check covers. */
  fields: FieldSpec[];
  /**
   * Present: the grid flows over as many pages as its repeat row needs (a fee list); absent: one
   * page, and text that does not fit is refused. See PaginationSpec.
   */
  pagination?: PaginationSpec;
}

/**
 * A document that flows over pages. Every page repeats the title, the header lines and the
 * `everyPage` rows (the table's column header); the rows before those are on the first page only;
 * the repeat row's elements flow; the rows after the repeat row and the footer texts stay together
 * on the last page (taking the last element along rather than standing alone).
 */
export interface PaginationSpec {
  /** Drawn at the foot of every page: `{page}` and `{pages}`, e.g. `第 {page} 页 共 {pages} 页`. */
  pageNumber: string;
}

export interface PageSpec {
  size: 'A4';
  /** Margins in points (1/72 inch). */
  margins: { top: number; right: number; bottom: number; left: number };
}

export interface FontSizes {
  /** Title size, points. */
  title: number;
  /** Regular text size, points. */
  base: number;
  /** The smallest size text may shrink to before it wraps. */
  min: number;
  /** Footer (small print) size. */
  small: number;
  /** Extra space between wrapped lines, points. */
  lineGap: number;
}

export type Align = 'left' | 'center' | 'right';
export type VAlign = 'top' | 'middle' | 'bottom';

export interface TextLine {
  /**
   * Text with `{field}` / `{field|ymd}` / `{sum:table.column}` / `{signature.date|ymd}` placeholders.
   * A tab splits it: the part before flush left, the part after flush right (one line, shrinks).
   */
  text: string;
  align?: Align;
  /** Shown only when this flag is set on the request (e.g. 'provisional'). */
  whenFlag?: string;
  /** Size in points (default `font.base`). */
  size?: number;
  /** Drawn inside a frame spanning the page between the margins (a banner). */
  boxed?: boolean;
}

export interface RowSpec {
  /** Minimum height in points; a row grows to fit its text. */
  minHeight: number;
  /** Expands into one row per element of this table field (e.g. the self-pay items). */
  repeat?: string;
  /** Paginated templates only: repeated at the top of every page (the table's column header, just above the repeat row). */
  everyPage?: boolean;
  /** Space between the cell border and its text, top and bottom, in points (default 3); small for dense tables. */
  padY?: number;
  /** The size its cells start from before shrinking (default `font.base`; at least `font.min`): smaller for a dense table. */
  size?: number;
  cells: CellSpec[];
}

export interface CellSpec {
  /** Grid columns this cell covers (default 1). */
  span?: number;
  /** Grid rows this cell covers downward (default 1), e.g. the photo box. */
  rowSpan?: number;
  /** Content: a fixed label, a field's value, several fields joined, a template text, or blocks. Exactly one. */
  label?: string;
  field?: string;
  fields?: string[];
  /** Separator between the present values of `fields` (default '；'). */
  separator?: string;
  text?: string;
  blocks?: BlockSpec[];
  /** Inside a `repeat` row: the column key of the current element, or '#' for its 1-based number. */
  item?: string;
  align?: Align;
  valign?: VAlign;
  /** 'shrink' (default): shrink to the minimum size on one line, then wrap. 'wrap': wrap at the base size first. */
  fit?: 'shrink' | 'wrap';
}

export interface BlockSpec {
  /** Template text (placeholders as in TextLine). Empty with a `signature` box: only the box and date. */
  text: string;
  /** Top blocks stack downward from the cell's top; bottom blocks stack upward from its bottom. */
  at?: 'top' | 'bottom';
  align?: Align;
  /** Shown only when this flag is set on the request (e.g. 'disputed'). */
  whenFlag?: string;
  /** Omitted when every placeholder in `text` is empty (for value paragraphs such as `病史：{medicalHistory}`). */
  omitWhenEmpty?: boolean;
  fit?: 'shrink' | 'wrap';
  /** A signature box drawn after `text` on the same line: the signature image goes here, then the date. */
  signature?: { width: number; height: number; after?: string };
}

export type FieldType = 'text' | 'date' | 'idNumber' | 'phone' | 'amount' | 'table';

export interface FieldSpec {
  key: string;
  /** Chinese name used in error messages. */
  label: string;
  type: FieldType;
  required: boolean;
  maxLength?: number;
  /** Allowed values (e.g. 在职/退休/老工伤). */
  enum?: string[];
  /** For a table field: its columns. */
  columns?: ColumnSpec[];
  /** For a table field: the most rows that fit the page. */
  maxRows?: number;
}

export interface ColumnSpec {
  key: string;
  label: string;
  type: Exclude<FieldType, 'table'>;
  required: boolean;
  maxLength?: number;
}

/** A template that does not follow the format; `path` names the bad key (e.g. `rows[3].cells[1].span`). */
export class TemplateError extends Error {
  constructor(
    readonly source: string,
    readonly path: string,
    problem: string,
  ) {
    super(`template ${source}: ${path}: ${problem}`);
    this.name = 'TemplateError';
  }
}

const PLACEHOLDER = /\{([^{}]+)\}/g;

/** Placeholders of a template text: `{key}`, `{key|ymd}`, `{sum:table.column}`, `{signature.date|ymd}`. */
export function placeholders(text: string): { raw: string; ref: string; filter?: string }[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => {
    const [ref, filter] = m[1].split('|');
    return { raw: m[0], ref, filter };
  });
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../platform/config/project-root';

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
  /** Text with `{field}` / `{field|ymd}` / `{sum:table.column}` / `{signature.date|ymd}` placeholders. */
  text: string;
  align?: Align;
}

export interface RowSpec {
  /** Minimum height in points; a row grows to fit its text. */
  minHeight: number;
  /** Expands into one row per element of this table field (e.g. the self-pay items). */
  repeat?: string;
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

const FIELD_TYPES: FieldType[] = ['text', 'date', 'idNumber', 'phone', 'amount', 'table'];
const ALIGNS: Align[] = ['left', 'center', 'right'];
const VALIGNS: VAlign[] = ['top', 'middle', 'bottom'];
const CONTENT_KEYS = ['label', 'field', 'fields', 'text', 'blocks', 'item'] as const;
const PLACEHOLDER = /\{([^{}]+)\}/g;

/** Placeholders of a template text: `{key}`, `{key|ymd}`, `{sum:table.column}`, `{signature.date|ymd}`. */
export function placeholders(text: string): { raw: string; ref: string; filter?: string }[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => {
    const [ref, filter] = m[1].split('|');
    return { raw: m[0], ref, filter };
  });
}

type Json = unknown;

class Checker {
  constructor(private readonly source: string) {}

  fail(path: string, problem: string): never {
    throw new TemplateError(this.source, path, problem);
  }

  object(value: Json, path: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(path, 'must be an object');
    }
    return value as Record<string, Json>;
  }

  keys(obj: Record<string, Json>, path: string, allowed: string[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        this.fail(`${path}.${key}`, `unknown key (allowed: ${allowed.join(', ')})`);
      }
    }
  }

  string(value: Json, path: string, optional = false): string | undefined {
    if (value === undefined && optional) {
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail(path, 'must be a string');
    }
    return value;
  }

  number(value: Json, path: string, optional = false, min = 0): number | undefined {
    if (value === undefined && optional) {
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      this.fail(path, `must be a number ≥ ${min}`);
    }
    return value;
  }

  boolean(value: Json, path: string): boolean {
    if (typeof value !== 'boolean') {
      this.fail(path, 'must be true or false');
    }
    return value;
  }

  oneOf<T extends string>(value: Json, path: string, allowed: readonly T[], optional = true): T | undefined {
    if (value === undefined && optional) {
      return undefined;
    }
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      this.fail(path, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  array(value: Json, path: string, optional = false): Json[] {
    if (value === undefined && optional) {
      return [];
    }
    if (!Array.isArray(value)) {
      this.fail(path, 'must be an array');
    }
    return value;
  }
}

/**
 * Checks a parsed template against the format and its own consistency (every placeholder and
 * field names a declared field, every row covers exactly the grid's columns), naming the bad path.
 */
export function parseTemplate(json: Json, source: string): FormTemplate {
  const c = new Checker(source);
  const root = c.object(json, '$');
  c.keys(root, '$', ['$schema', 'kind', 'title', 'page', 'font', 'headerLines', 'columns', 'rows', 'footerTexts', 'fields']);
  const kind = c.string(root.kind, 'kind')!;
  const title = c.string(root.title, 'title')!;

  const pageObj = c.object(root.page, 'page');
  c.keys(pageObj, 'page', ['size', 'margins']);
  c.oneOf(pageObj.size, 'page.size', ['A4'] as const, false);
  const m = c.object(pageObj.margins, 'page.margins');
  c.keys(m, 'page.margins', ['top', 'right', 'bottom', 'left']);
  const margins = {
    top: c.number(m.top, 'page.margins.top')!,
    right: c.number(m.right, 'page.margins.right')!,
    bottom: c.number(m.bottom, 'page.margins.bottom')!,
    left: c.number(m.left, 'page.margins.left')!,
  };

  const f = c.object(root.font, 'font');
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

  const fields = c.array(root.fields, 'fields').map((raw, i) => parseField(c, raw, `fields[${i}]`));
  const byKey = new Map<string, FieldSpec>();
  fields.forEach((field, i) => {
    if (byKey.has(field.key)) {
      c.fail(`fields[${i}].key`, `duplicate field "${field.key}"`);
    }
    byKey.set(field.key, field);
  });

  const checkText = (text: string, path: string, table?: FieldSpec): void => {
    for (const p of placeholders(text)) {
      checkRef(c, p.ref, p.filter, path, byKey, table);
    }
  };
  const textLine = (raw: Json, path: string): TextLine => {
    const o = c.object(raw, path);
    c.keys(o, path, ['text', 'align']);
    const text = c.string(o.text, `${path}.text`)!;
    checkText(text, `${path}.text`);
    return { text, align: c.oneOf(o.align, `${path}.align`, ALIGNS) };
  };
  const headerLines = c.array(root.headerLines, 'headerLines', true).map((raw, i) => textLine(raw, `headerLines[${i}]`));
  const footerTexts = c.array(root.footerTexts, 'footerTexts', true).map((raw, i) => textLine(raw, `footerTexts[${i}]`));

  const columns = c.array(root.columns, 'columns').map((w, i) => c.number(w, `columns[${i}]`, false, 0.01)!);
  if (columns.length === 0) {
    c.fail('columns', 'needs at least one column');
  }

  // Columns still covered by a rowSpan from a row above: index → rows left.
  let carried: number[] = columns.map(() => 0);
  const rows = c.array(root.rows, 'rows').map((raw, r): RowSpec => {
    const path = `rows[${r}]`;
    const o = c.object(raw, path);
    c.keys(o, path, ['minHeight', 'repeat', 'cells']);
    const repeat = c.string(o.repeat, `${path}.repeat`, true);
    let table: FieldSpec | undefined;
    if (repeat !== undefined) {
      table = byKey.get(repeat);
      if (!table || table.type !== 'table') {
        c.fail(`${path}.repeat`, `"${repeat}" is not a table field`);
      }
    }
    const cells = c.array(o.cells, `${path}.cells`).map((cell, i) => parseCell(c, cell, `${path}.cells[${i}]`, byKey, checkText, table));
    // Lay the cells onto the grid to check they cover every column exactly once.
    const next = carried.map((n) => Math.max(0, n - 1));
    let col = 0;
    cells.forEach((cell, i) => {
      while (col < columns.length && carried[col] > 0) {
        col++;
      }
      const span = cell.span ?? 1;
      if (col + span > columns.length) {
        c.fail(`${path}.cells[${i}].span`, `the row's cells cover more than the ${columns.length} columns`);
      }
      for (let k = col; k < col + span; k++) {
        if (carried[k] > 0) {
          c.fail(`${path}.cells[${i}].span`, `overlaps a rowSpan from a row above at column ${k}`);
        }
        if ((cell.rowSpan ?? 1) > 1) {
          if (repeat !== undefined) {
            c.fail(`${path}.cells[${i}].rowSpan`, 'not allowed in a repeat row');
          }
          next[k] = (cell.rowSpan ?? 1) - 1;
        }
      }
      col += span;
    });
    while (col < columns.length && carried[col] > 0) {
      col++;
    }
    if (col !== columns.length) {
      c.fail(`${path}.cells`, `the row's cells cover ${col} of the ${columns.length} columns`);
    }
    carried = next;
    return { minHeight: c.number(o.minHeight, `${path}.minHeight`, false, 1)!, repeat, cells };
  });
  if (carried.some((n) => n > 0)) {
    c.fail(`rows[${rows.length - 1}]`, 'a rowSpan reaches below the last row');
  }

  return { kind, title, page: { size: 'A4', margins }, font, headerLines, columns, rows, footerTexts, fields };
}

function parseField(c: Checker, raw: Json, path: string): FieldSpec {
  const o = c.object(raw, path);
  c.keys(o, path, ['key', 'label', 'type', 'required', 'maxLength', 'enum', 'columns', 'maxRows']);
  const key = c.string(o.key, `${path}.key`)!;
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) {
    c.fail(`${path}.key`, 'must be letters and digits, starting with a letter');
  }
  const type = c.oneOf(o.type, `${path}.type`, FIELD_TYPES, false)!;
  const field: FieldSpec = {
    key,
    label: c.string(o.label, `${path}.label`)!,
    type,
    required: c.boolean(o.required, `${path}.required`),
    maxLength: c.number(o.maxLength, `${path}.maxLength`, true, 1),
    enum: o.enum === undefined ? undefined : c.array(o.enum, `${path}.enum`).map((v, i) => c.string(v, `${path}.enum[${i}]`)!),
  };
  if (type === 'table') {
    field.maxRows = c.number(o.maxRows, `${path}.maxRows`, false, 1);
    field.columns = c.array(o.columns, `${path}.columns`).map((colRaw, i): ColumnSpec => {
      const cp = `${path}.columns[${i}]`;
      const col = c.object(colRaw, cp);
      c.keys(col, cp, ['key', 'label', 'type', 'required', 'maxLength']);
      return {
        key: c.string(col.key, `${cp}.key`)!,
        label: c.string(col.label, `${cp}.label`)!,
        type: c.oneOf(col.type, `${cp}.type`, FIELD_TYPES.filter((t): t is ColumnSpec['type'] => t !== 'table'), false)!,
        required: c.boolean(col.required, `${cp}.required`),
        maxLength: c.number(col.maxLength, `${cp}.maxLength`, true, 1),
      };
    });
    if (field.columns.length === 0) {
      c.fail(`${path}.columns`, 'a table needs at least one column');
    }
  } else if (o.columns !== undefined || o.maxRows !== undefined) {
    c.fail(`${path}.columns`, 'only a table field has columns');
  }
  return field;
}

function checkRef(c: Checker, ref: string, filter: string | undefined, path: string, byKey: Map<string, FieldSpec>, table?: FieldSpec): void {
  if (filter !== undefined && filter !== 'ymd') {
    c.fail(path, `unknown filter "|${filter}" in {${ref}|${filter}} (known: ymd)`);
  }
  if (ref === 'signature.date') {
    return;
  }
  if (ref.startsWith('sum:')) {
    const [tableKey, colKey] = ref.slice(4).split('.');
    const t = byKey.get(tableKey);
    const col = t?.columns?.find((x) => x.key === colKey);
    if (!t || t.type !== 'table' || !col || col.type !== 'amount') {
      c.fail(path, `{${ref}} must name an amount column of a table field`);
    }
    return;
  }
  if (ref.startsWith('item.')) {
    const colKey = ref.slice(5);
    if (!table || !(colKey === '#' || table.columns?.some((x) => x.key === colKey))) {
      c.fail(path, `{${ref}} must name a column of the row's repeat table`);
    }
    return;
  }
  const field = byKey.get(ref);
  if (!field || field.type === 'table') {
    c.fail(path, `{${ref}} is not a declared text field`);
  }
}

function parseCell(
  c: Checker,
  raw: Json,
  path: string,
  byKey: Map<string, FieldSpec>,
  checkText: (text: string, path: string, table?: FieldSpec) => void,
  table: FieldSpec | undefined,
): CellSpec {
  const o = c.object(raw, path);
  c.keys(o, path, ['span', 'rowSpan', ...CONTENT_KEYS, 'separator', 'align', 'valign', 'fit']);
  const present = CONTENT_KEYS.filter((k) => o[k] !== undefined);
  if (present.length > 1) {
    c.fail(path, `has ${present.join(' and ')}: give exactly one of ${CONTENT_KEYS.join(', ')} (or none for an empty cell)`);
  }
  const cell: CellSpec = {
    span: c.number(o.span, `${path}.span`, true, 1),
    rowSpan: c.number(o.rowSpan, `${path}.rowSpan`, true, 1),
    align: c.oneOf(o.align, `${path}.align`, ALIGNS),
    valign: c.oneOf(o.valign, `${path}.valign`, VALIGNS),
    fit: c.oneOf(o.fit, `${path}.fit`, ['shrink', 'wrap'] as const),
    separator: c.string(o.separator, `${path}.separator`, true),
  };
  if (o.label !== undefined) {
    cell.label = c.string(o.label, `${path}.label`);
  }
  if (o.field !== undefined) {
    cell.field = c.string(o.field, `${path}.field`);
    checkRef(c, cell.field!, undefined, `${path}.field`, byKey);
  }
  if (o.fields !== undefined) {
    cell.fields = c.array(o.fields, `${path}.fields`).map((v, i) => {
      const key = c.string(v, `${path}.fields[${i}]`)!;
      checkRef(c, key, undefined, `${path}.fields[${i}]`, byKey);
      return key;
    });
  }
  if (o.text !== undefined) {
    cell.text = c.string(o.text, `${path}.text`);
    checkText(cell.text!, `${path}.text`, table);
  }
  if (o.item !== undefined) {
    cell.item = c.string(o.item, `${path}.item`);
    checkRef(c, `item.${cell.item}`, undefined, `${path}.item`, byKey, table);
  }
  if (o.blocks !== undefined) {
    cell.blocks = c.array(o.blocks, `${path}.blocks`).map((b, i): BlockSpec => {
      const bp = `${path}.blocks[${i}]`;
      const bo = c.object(b, bp);
      c.keys(bo, bp, ['text', 'at', 'align', 'whenFlag', 'omitWhenEmpty', 'fit', 'signature']);
      const text = c.string(bo.text, `${bp}.text`)!;
      checkText(text, `${bp}.text`, table);
      let signature: BlockSpec['signature'];
      if (bo.signature !== undefined) {
        const so = c.object(bo.signature, `${bp}.signature`);
        c.keys(so, `${bp}.signature`, ['width', 'height', 'after']);
        const after = c.string(so.after, `${bp}.signature.after`, true);
        if (after !== undefined) {
          checkText(after, `${bp}.signature.after`, table);
        }
        signature = {
          width: c.number(so.width, `${bp}.signature.width`, false, 1)!,
          height: c.number(so.height, `${bp}.signature.height`, false, 1)!,
          after,
        };
      }
      return {
        text,
        at: c.oneOf(bo.at, `${bp}.at`, ['top', 'bottom'] as const),
        align: c.oneOf(bo.align, `${bp}.align`, ALIGNS),
        whenFlag: c.string(bo.whenFlag, `${bp}.whenFlag`, true),
        omitWhenEmpty: bo.omitWhenEmpty === undefined ? undefined : c.boolean(bo.omitWhenEmpty, `${bp}.omitWhenEmpty`),
        fit: c.oneOf(bo.fit, `${bp}.fit`, ['shrink', 'wrap'] as const),
        signature,
      };
    });
  }
  if (table === undefined && cell.item !== undefined) {
    c.fail(`${path}.item`, 'only a cell of a repeat row may show an item');
  }
  return cell;
}

/** The folder the form templates live in (`templates/` at the project root). */
export function templatesDir(): string {
  return join(projectRoot(), 'templates');
}

/** Reads and checks `templates/<kind>.json`; a broken file fails naming the file and the bad path. */
export function loadTemplate(kind: string, dir = templatesDir()): FormTemplate {
  const file = join(dir, `${kind}.json`);
  let json: Json;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TemplateError(file, '$', `cannot be read as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const template = parseTemplate(json, file);
  if (template.kind !== kind) {
    throw new TemplateError(file, 'kind', `is "${template.kind}" but the file is named for "${kind}"`);
  }
  return template;
}

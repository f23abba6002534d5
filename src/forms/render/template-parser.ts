import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../platform';
import type { BlockSpec, CellSpec, ColumnSpec, FieldSpec, FormTemplate, RowSpec, TextLine } from './template';
import { placeholders, TemplateError } from './template';
import { ALIGNS, Checker, CONTENT_KEYS, FIELD_TYPES, type Json, VALIGNS } from './template-checker';
import { parseFont, parseMargins, parsePagination } from './template-page-parser';

type CheckText = (text: string, path: string, table?: FieldSpec) => void;

/**
 * Checks a parsed template against the format and its own consistency (every placeholder and
 * field names a declared field, every row covers exactly the grid's columns), naming the bad path.
 */
export function parseTemplate(json: Json, source: string): FormTemplate {
  const c = new Checker(source);
  const root = c.object(json, '$');
  c.keys(root, '$', [
    '$schema',
    'kind',
    'title',
    'page',
    'font',
    'headerLines',
    'columns',
    'rows',
    'footerTexts',
    'fields',
    'pagination',
  ]);
  const kind = c.string(root.kind, 'kind')!;
  const title = c.string(root.title, 'title')!;
  const margins = parseMargins(c, root.page);
  const font = parseFont(c, root.font);
  const { fields, byKey } = parseFields(c, root.fields);

  const checkText: CheckText = (text, path, table) => {
    for (const p of placeholders(text)) {
      checkRef(c, p.ref, p.filter, path, byKey, table);
    }
  };
  const textLine = (raw: Json, path: string): TextLine => {
    const o = c.object(raw, path);
    c.keys(o, path, ['text', 'align', 'whenFlag', 'size', 'boxed']);
    const text = c.string(o.text, `${path}.text`)!;
    checkText(text, `${path}.text`);
    return {
      text,
      align: c.oneOf(o.align, `${path}.align`, ALIGNS),
      whenFlag: c.string(o.whenFlag, `${path}.whenFlag`, true),
      size: c.number(o.size, `${path}.size`, true, 4),
      boxed: o.boxed === undefined ? undefined : c.boolean(o.boxed, `${path}.boxed`),
    };
  };
  const headerLines = c
    .array(root.headerLines, 'headerLines', true)
    .map((raw, i) => textLine(raw, `headerLines[${i}]`));
  const footerTexts = c
    .array(root.footerTexts, 'footerTexts', true)
    .map((raw, i) => textLine(raw, `footerTexts[${i}]`));

  const columns = c.array(root.columns, 'columns').map((w, i) => c.number(w, `columns[${i}]`, false, 0.01)!);
  if (columns.length === 0) {
    c.fail('columns', 'needs at least one column');
  }
  const rows = parseRows(c, root.rows, columns.length, byKey, checkText);
  rows.forEach((row, r) => {
    if (row.size !== undefined && row.size < font.min) {
      c.fail(`rows[${r}].size`, `must not be below font.min (${font.min})`);
    }
  });
  const pagination = root.pagination === undefined ? undefined : parsePagination(c, root.pagination, rows);
  if (!pagination) {
    rows.forEach((row, r) => {
      if (row.everyPage) {
        c.fail(`rows[${r}].everyPage`, 'only a paginated template (with "pagination") repeats rows on every page');
      }
    });
  }
  return {
    kind,
    title,
    page: { size: 'A4', margins },
    font,
    headerLines,
    columns,
    rows,
    footerTexts,
    fields,
    ...(pagination ? { pagination } : {}),
  };
}

function parseFields(c: Checker, raw: Json): { fields: FieldSpec[]; byKey: Map<string, FieldSpec> } {
  const fields = c.array(raw, 'fields').map((f, i) => parseField(c, f, `fields[${i}]`));
  const byKey = new Map<string, FieldSpec>();
  fields.forEach((field, i) => {
    if (byKey.has(field.key)) {
      c.fail(`fields[${i}].key`, `duplicate field "${field.key}"`);
    }
    byKey.set(field.key, field);
  });
  return { fields, byKey };
}

function parseRows(
  c: Checker,
  raw: Json,
  columnCount: number,
  byKey: Map<string, FieldSpec>,
  checkText: CheckText,
): RowSpec[] {
  // Columns still covered by a rowSpan from a row above: index → rows left.
  let carried: number[] = Array.from({ length: columnCount }, () => 0);
  const rows = c.array(raw, 'rows').map((rawRow, r): RowSpec => {
    const path = `rows[${r}]`;
    const o = c.object(rawRow, path);
    c.keys(o, path, ['minHeight', 'repeat', 'everyPage', 'padY', 'size', 'cells']);
    const repeat = c.string(o.repeat, `${path}.repeat`, true);
    let table: FieldSpec | undefined;
    if (repeat !== undefined) {
      table = byKey.get(repeat);
      if (!table || table.type !== 'table') {
        c.fail(`${path}.repeat`, `"${repeat}" is not a table field`);
      }
    }
    const cells = c
      .array(o.cells, `${path}.cells`)
      .map((cell, i) => parseCell(c, cell, `${path}.cells[${i}]`, byKey, checkText, table));
    carried = coverRow(c, path, cells, carried, repeat !== undefined);
    return {
      minHeight: c.number(o.minHeight, `${path}.minHeight`, false, 1)!,
      repeat,
      everyPage: o.everyPage === undefined ? undefined : c.boolean(o.everyPage, `${path}.everyPage`),
      padY: c.number(o.padY, `${path}.padY`, true, 0),
      size: c.number(o.size, `${path}.size`, true, 4),
      cells,
    };
  });
  if (carried.some((n) => n > 0)) {
    c.fail(`rows[${rows.length - 1}]`, 'a rowSpan reaches below the last row');
  }
  return rows;
}

/** Lays a row's cells onto the grid to check they cover every column exactly once; answers what the next row inherits. */
function coverRow(c: Checker, path: string, cells: CellSpec[], carried: number[], repeat: boolean): number[] {
  const columns = carried.length;
  const next = carried.map((n) => Math.max(0, n - 1));
  let col = 0;
  cells.forEach((cell, i) => {
    while (col < columns && carried[col] > 0) {
      col++;
    }
    const span = cell.span ?? 1;
    if (col + span > columns) {
      c.fail(`${path}.cells[${i}].span`, `the row's cells cover more than the ${columns} columns`);
    }
    for (let k = col; k < col + span; k++) {
      if (carried[k] > 0) {
        c.fail(`${path}.cells[${i}].span`, `overlaps a rowSpan from a row above at column ${k}`);
      }
      if ((cell.rowSpan ?? 1) > 1) {
        if (repeat) {
          c.fail(`${path}.cells[${i}].rowSpan`, 'not allowed in a repeat row');
        }
        next[k] = (cell.rowSpan ?? 1) - 1;
      }
    }
    col += span;
  });
  while (col < columns && carried[col] > 0) {
    col++;
  }
  if (col !== columns) {
    c.fail(`${path}.cells`, `the row's cells cover ${col} of the ${columns} columns`);
  }
  return next;
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
    enum:
      o.enum === undefined
        ? undefined
        : c.array(o.enum, `${path}.enum`).map((v, i) => c.string(v, `${path}.enum[${i}]`)!),
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
        type: c.oneOf(
          col.type,
          `${cp}.type`,
          FIELD_TYPES.filter((t): t is ColumnSpec['type'] => t !== 'table'),
          false,
        )!,
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

function checkRef(
  c: Checker,
  ref: string,
  filter: string | undefined,
  path: string,
  byKey: Map<string, FieldSpec>,
  table?: FieldSpec,
): void {
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
  checkText: CheckText,
  table: FieldSpec | undefined,
): CellSpec {
  const o = c.object(raw, path);
  c.keys(o, path, ['span', 'rowSpan', ...CONTENT_KEYS, 'separator', 'align', 'valign', 'fit']);
  const present = CONTENT_KEYS.filter((k) => o[k] !== undefined);
  if (present.length > 1) {
    c.fail(
      path,
      `has ${present.join(' and ')}: give exactly one of ${CONTENT_KEYS.join(', ')} (or none for an empty cell)`,
    );
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
    cell.blocks = c
      .array(o.blocks, `${path}.blocks`)
      .map((b, i) => parseBlock(c, b, `${path}.blocks[${i}]`, checkText, table));
  }
  if (table === undefined && cell.item !== undefined) {
    c.fail(`${path}.item`, 'only a cell of a repeat row may show an item');
  }
  return cell;
}

function parseBlock(c: Checker, b: Json, bp: string, checkText: CheckText, table: FieldSpec | undefined): BlockSpec {
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

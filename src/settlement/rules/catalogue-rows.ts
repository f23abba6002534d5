import { CATALOGUE_WARNINGS, type CatalogueProblemCode } from '../settlement.errors';
import { type CatalogueColumns, type CatalogueField, matchHeaders } from './catalogue-headers';
import {
  codeFitsKind,
  isHisCode,
  type ItemKind,
  normaliseDate,
  normaliseMedListCode,
  parseKind,
} from './catalogue-values';
import { type CsvRecord, readCsvTable, type SourceEncoding, type SourceTable } from './csv-text';

/**
 * A mapping file judged row by row, before anything is stored. Pure: the same bytes give the same
 * items and problems. Errors refuse the whole file; warnings (CATALOGUE_WARNINGS) do not.
 */

/** The longest item name stored (HIS's and the insurer's). */
export const MAX_NAME_LENGTH = 500;

/** One HIS item and its insurer catalogue code, as it will be stored. */
export interface CatalogueItem {
  row: number;
  hisCode: string;
  hisName: string;
  kind: ItemKind;
  /** null: the item is not mapped (a warning: its cost is not paid by the fund). */
  medListCode: string | null;
  insurerName: string | null;
  validFrom: string | null;
  validTo: string | null;
}

export interface CatalogueProblem {
  row: number;
  code: CatalogueProblemCode;
  severity: 'error' | 'warning';
  hisCode?: string;
  /** The offending cell as read. */
  value?: string;
  /** For a duplicate: the row the HIS code first appeared on. */
  firstRow?: number;
}

export interface CatalogueCounts {
  /** Data rows read (blank rows not counted). */
  read: number;
  /** Items to store with an insurer code. */
  mapped: number;
  /** Items to store without one. */
  unmapped: number;
  /** Rows whose HIS code an earlier row already had. */
  duplicated: number;
  /** Rows with a format error (bad code, unknown kind, bad date, missing name, extra cells). */
  malformed: number;
}

export interface JudgedCatalogue {
  encoding: SourceEncoding;
  delimiter: SourceTable['delimiter'];
  /** Header cells that name no field. */
  ignoredColumns: string[];
  /** Items to store, each HIS code once, in file order. */
  items: CatalogueItem[];
  /** Every problem, in row order. */
  problems: CatalogueProblem[];
  counts: CatalogueCounts;
}

export function problem(
  row: number,
  code: CatalogueProblemCode,
  extra: Omit<CatalogueProblem, 'row' | 'code' | 'severity'> = {},
): CatalogueProblem {
  return { row, code, severity: CATALOGUE_WARNINGS.has(code) ? 'warning' : 'error', ...extra };
}

/** Reads and judges a whole CSV file; throws only when the file itself is unreadable (see csv-text, headers). */
export function judgeCatalogueFile(bytes: Buffer): JudgedCatalogue {
  return judgeCatalogueTable(readCsvTable(bytes));
}

/** Judges the rows of a file already read (CSV, or a workbook's first sheet). */
export function judgeCatalogueTable(table: SourceTable): JudgedCatalogue {
  const { columns, ignored } = matchHeaders(table.header.cells);
  const items: CatalogueItem[] = [];
  const problems: CatalogueProblem[] = [];
  const firstOf = new Map<string, CatalogueItem>();
  let malformed = 0;
  let duplicated = 0;
  for (const record of table.records) {
    const judged = judgeRow(record, columns, table.header.cells.length);
    problems.push(...judged.problems);
    if (!judged.item) {
      malformed += 1;
      continue;
    }
    const first = firstOf.get(judged.item.hisCode);
    if (first) {
      duplicated += 1;
      const same = first.medListCode === judged.item.medListCode;
      problems.push(
        problem(record.row, same ? 'CATALOGUE_ROW_DUPLICATE' : 'CATALOGUE_ROW_DUPLICATE_CONFLICT', {
          hisCode: judged.item.hisCode,
          value: judged.item.medListCode ?? '',
          firstRow: first.row,
        }),
      );
      continue;
    }
    firstOf.set(judged.item.hisCode, judged.item);
    items.push(judged.item);
  }
  const mapped = items.filter((i) => i.medListCode !== null).length;
  return {
    encoding: table.encoding,
    delimiter: table.delimiter,
    ignoredColumns: ignored,
    items,
    problems: problems.sort((a, b) => a.row - b.row),
    counts: { read: table.records.length, mapped, unmapped: items.length - mapped, duplicated, malformed },
  };
}

/** One row: its item, or none when it has an error; and its problems. */
export function judgeRow(
  record: CsvRecord,
  columns: CatalogueColumns,
  headerWidth: number,
): { item?: CatalogueItem; problems: CatalogueProblem[] } {
  const cell = (field: CatalogueField): string => {
    const index = columns[field];
    return index === undefined ? '' : (record.cells[index] ?? '');
  };
  const { row } = record;
  const problems: CatalogueProblem[] = [];
  const hisCode = cell('hisCode');
  const at = (code: CatalogueProblemCode, value: string): void => {
    problems.push(problem(row, code, { hisCode: hisCode || undefined, value }));
  };
  if (record.cells.slice(headerWidth).some((c) => c !== '')) {
    at('CATALOGUE_ROW_EXTRA_CELLS', record.cells.slice(headerWidth).join(','));
  }
  if (!isHisCode(hisCode)) {
    at('CATALOGUE_ROW_HIS_CODE_INVALID', hisCode);
  }
  if (cell('hisName') === '') {
    at('CATALOGUE_ROW_HIS_NAME_MISSING', '');
  }
  const longName = [cell('hisName'), cell('insurerName')].find((n) => n.length > MAX_NAME_LENGTH);
  if (longName !== undefined) {
    at('CATALOGUE_ROW_NAME_TOO_LONG', `${longName.slice(0, 20)}…`);
  }
  const kind = parseKind(cell('kind'));
  if (!kind) {
    at('CATALOGUE_ROW_KIND_UNKNOWN', cell('kind'));
  }
  const rawCode = cell('medListCode');
  const medListCode = rawCode === '' ? null : normaliseMedListCode(rawCode);
  if (medListCode === undefined) {
    at('CATALOGUE_ROW_MED_LIST_CODE_INVALID', rawCode);
  }
  const dates = judgeDates(cell('validFrom'), cell('validTo'));
  if (!dates) {
    at('CATALOGUE_ROW_DATE_INVALID', [cell('validFrom'), cell('validTo')].filter(Boolean).join(' ~ '));
  }
  if (problems.length > 0 || !kind || medListCode === undefined || !dates) {
    return { problems };
  }
  if (medListCode === null) {
    at('CATALOGUE_ROW_UNMAPPED', '');
  } else if (!codeFitsKind(medListCode, kind)) {
    at('CATALOGUE_ROW_KIND_CODE_MISMATCH', `${cell('kind')} ${medListCode}`);
  }
  const insurerName = cell('insurerName');
  return {
    item: { row, hisCode, hisName: cell('hisName'), kind, medListCode, insurerName: insurerName || null, ...dates },
    problems,
  };
}

/** Both dates optional; when both are given, from ≤ to. */
function judgeDates(from: string, to: string): { validFrom: string | null; validTo: string | null } | undefined {
  const validFrom = from === '' ? null : normaliseDate(from);
  const validTo = to === '' ? null : normaliseDate(to);
  if (validFrom === undefined || validTo === undefined) {
    return undefined;
  }
  if (validFrom !== null && validTo !== null && validFrom > validTo) {
    return undefined;
  }
  return { validFrom, validTo };
}

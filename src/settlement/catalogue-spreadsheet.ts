import { type CellValue, readSheet } from 'read-excel-file/node';
import { SETTLEMENT_ERRORS, SETTLEMENT_MESSAGES } from './settlement.errors';
import { looksLikeXlsx, readCsvTable, type CsvRecord, type SourceTable } from './rules/csv-text';

/**
 * A mapping file's bytes → rows of text cells: an Excel workbook (.xlsx, its first sheet) or CSV.
 * Numbers keep the digits Excel stored (a long code never becomes 1.1E+14 here); dates become
 * YYYY-MM-DD; row numbers are Excel's, as for CSV.
 */
export async function readCatalogueTable(bytes: Buffer): Promise<SourceTable> {
  if (bytes.length === 0 || !looksLikeXlsx(bytes)) {
    return readCsvTable(bytes);
  }
  const rows = await readSheet(bytes, { parseNumber: (text: string) => text, trim: true }).catch((e: unknown) => {
    throw SETTLEMENT_ERRORS.raise('CATALOGUE_FILE_UNREADABLE', {
      message: SETTLEMENT_MESSAGES.unreadableWorkbook(e instanceof Error ? e.message : String(e)),
    });
  });
  const records: CsvRecord[] = rows
    .map((cells, i) => ({ row: i + 1, cells: cells.map(cellText) }))
    .filter((r) => r.cells.some((c) => c !== ''));
  const [header, ...data] = records;
  if (!header || data.length === 0) {
    throw SETTLEMENT_ERRORS.raise('CATALOGUE_FILE_EMPTY');
  }
  return { encoding: 'xlsx', delimiter: 'sheet', header, records: data };
}

/** A cell as text (the library types a date cell as `typeof Date`; at run time it is a Date). */
function cellText(value: CellValue<string> | null): string {
  if (value === null) {
    return '';
  }
  if ((value as unknown) instanceof Date) {
    // Excel dates carry no zone; read-excel-file gives them as UTC midnight.
    return (value as unknown as Date).toISOString().slice(0, 10);
  }
  return typeof value === 'string' ? value.trim() : String(value);
}

import { SETTLEMENT_ERRORS, SETTLEMENT_MESSAGES } from '../settlement.errors';

/**
 * Bytes of a CSV file the hospital exported → text → records. Pure.
 *
 * Encodings: a BOM decides (UTF-8, UTF-16LE/BE: Excel's "Unicode text"); without one the bytes are
 * UTF-8 when they decode strictly as UTF-8, else GB18030 (a superset of GBK and GB2312: what Chinese
 * Excel writes for "CSV (逗号分隔)"). Real Chinese text in GBK is practically never valid UTF-8.
 */

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';

/** How a mapping file was read: a CSV text encoding, or an Excel workbook (first sheet). */
export type SourceEncoding = CsvEncoding | 'xlsx';

export interface CsvRecord {
  /** The row as Excel numbers it: the header is row 1. */
  row: number;
  cells: string[];
}

/** A file's rows as cells of text, whether it came from CSV or a workbook. */
export interface SourceTable {
  encoding: SourceEncoding;
  /** The CSV separator; 'sheet' for a workbook. */
  delimiter: ',' | '\t' | 'sheet';
  header: CsvRecord;
  /** Data records, blank ones left out (their row numbers stay counted). */
  records: CsvRecord[];
}

/** Zip (xlsx) and OLE2 (xls) signatures: spreadsheets, not CSV. */
const XLSX_SIGNATURE = Buffer.from('504b0304', 'hex');
const SPREADSHEET_SIGNATURES = [XLSX_SIGNATURE, Buffer.from('d0cf11e0a1b11ae1', 'hex')];

/** A zip container: what an .xlsx workbook is. */
export function looksLikeXlsx(bytes: Buffer): boolean {
  return bytes.subarray(0, XLSX_SIGNATURE.length).equals(XLSX_SIGNATURE);
}

export function decodeCsvBytes(bytes: Buffer): { text: string; encoding: CsvEncoding } {
  if (SPREADSHEET_SIGNATURES.some((sig) => bytes.subarray(0, sig.length).equals(sig))) {
    throw SETTLEMENT_ERRORS.raise('CATALOGUE_FILE_NOT_CSV');
  }
  const { text, encoding } = decodeText(bytes);
  if (text.includes('\u0000')) {
    throw SETTLEMENT_ERRORS.raise('CATALOGUE_FILE_NOT_CSV');
  }
  return { text, encoding };
}

function decodeText(bytes: Buffer): { text: string; encoding: CsvEncoding } {
  const bom: Array<[string, CsvEncoding, string]> = [
    ['efbbbf', 'utf-8-bom', 'utf-8'],
    ['fffe', 'utf-16le', 'utf-16le'],
    ['feff', 'utf-16be', 'utf-16be'],
  ];
  for (const [hex, encoding, label] of bom) {
    const mark = Buffer.from(hex, 'hex');
    if (bytes.subarray(0, mark.length).equals(mark)) {
      return { text: strictDecode(label, bytes.subarray(mark.length)), encoding };
    }
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: strictDecode('gb18030', bytes), encoding: 'gb18030' };
  }
}

function strictDecode(label: string, bytes: Buffer): string {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw SETTLEMENT_ERRORS.raise('CATALOGUE_FILE_UNREADABLE');
  }
}

/** Comma, or tab when the first line has more tabs than commas (Excel's "Unicode text"). */
export function detectDelimiter(text: string): ',' | '\t' {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const tabs = firstLine.split('\t').length - 1;
  const commas = firstLine.split(',').length - 1;
  return tabs > commas ? '\t' : ',';
}

/**
 * RFC 4180 records: quoted cells may hold the delimiter, line breaks and doubled quotes; CRLF or LF.
 * A quote elsewhere in a cell is a character. Cells are trimmed; Excel's `="00123"` (text kept with its
 * leading zeros) becomes `00123`.
 */
export function parseCsvRecords(text: string, delimiter: ',' | '\t'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let row = 1;
  let startRow = 1;
  const endCell = (): void => {
    cells.push(cleanCell(cell));
    cell = '';
  };
  const endRecord = (): void => {
    endCell();
    records.push({ row: startRow, cells });
    cells = [];
    row += 1;
    startRow = row;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"' && (cell.trim() === '' || cell.trim() === '=')) {
      // A quote opens a quoted cell only at its start; `="…"` is Excel's text formula: its value is the text.
      quoted = true;
      cell = '';
    } else if (ch === delimiter) {
      endCell();
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') {
        i += 1;
      }
      endRecord();
    } else {
      cell += ch;
    }
  }
  if (quoted) {
    throw SETTLEMENT_ERRORS.raise('CATALOGUE_FILE_UNREADABLE', {
      message: SETTLEMENT_MESSAGES.unreadableQuote(startRow),
    });
  }
  if (cell !== '' || cells.length > 0) {
    endRecord();
  }
  return records;
}

function cleanCell(raw: string): string {
  return raw.trim();
}

/** The whole file: decoded, split into records; the first non-blank record is the header. */
export function readCsvTable(bytes: Buffer): SourceTable {
  if (bytes.length === 0) {
    throw SETTLEMENT_ERRORS.raise('CATALOGUE_FILE_EMPTY');
  }
  const { text, encoding } = decodeCsvBytes(bytes);
  const delimiter = detectDelimiter(text);
  const nonBlank = parseCsvRecords(text, delimiter).filter((r) => r.cells.some((c) => c !== ''));
  const [header, ...records] = nonBlank;
  if (!header || records.length === 0) {
    throw SETTLEMENT_ERRORS.raise('CATALOGUE_FILE_EMPTY');
  }
  return { encoding, delimiter, header, records };
}

import { crc32 } from './crc32';

/**
 * One journal record on disk is one line: 8 hex digits of the CRC-32 of the JSON, a space, the
 * JSON `{"seq":…,"at":…,"event":…}`, a newline. JSON.stringify escapes newlines inside strings,
 * so a newline only ever ends a record; the text stays readable with `type`/`less` on a desk PC.
 */
export interface JournalRecord<T> {
  /** Monotonically increasing over the journal's life, never reused (not even after compaction). */
  seq: number;
  /** When the journal took the event (ISO); the event keeps its own time (e.g. the scan time). */
  at: string;
  event: T;
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
const HEX8 = /^[0-9a-f]{8}$/;

export function encodeRecord<T>(record: JournalRecord<T>): Buffer {
  const json = Buffer.from(JSON.stringify(record), 'utf8');
  const crc = crc32(json).toString(16).padStart(8, '0');
  return Buffer.concat([Buffer.from(`${crc} `, 'ascii'), json, Buffer.from('\n', 'ascii')]);
}

export type ParsedLine<T> = { ok: true; record: JournalRecord<T> } | { ok: false; reason: string };

/** Parses one line (without its newline): checksum first, then the JSON and its shape. */
export function decodeLine<T>(line: Buffer): ParsedLine<T> {
  if (line.length < 10 || line[8] !== SPACE) {
    return { ok: false, reason: 'no checksum prefix' };
  }
  // latin1, not ascii: Node's ascii decoding drops the high bit, so 0xB1 would read as '1'.
  const crcText = line.subarray(0, 8).toString('latin1');
  if (!HEX8.test(crcText)) {
    return { ok: false, reason: 'no checksum prefix' };
  }
  const json = line.subarray(9);
  if (crc32(json) !== parseInt(crcText, 16)) {
    return { ok: false, reason: 'checksum mismatch' };
  }
  let value: unknown;
  try {
    value = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, reason: 'checksum matches but the JSON does not parse' };
  }
  if (!isRecord(value)) {
    return { ok: false, reason: 'checksum matches but the record has no integer seq, at and event' };
  }
  return { ok: true, record: value as JournalRecord<T> };
}

function isRecord(value: unknown): value is JournalRecord<unknown> {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const r = value as Record<string, unknown>;
  return Number.isSafeInteger(r.seq) && (r.seq as number) > 0 && typeof r.at === 'string' && 'event' in r;
}

const RECORD_START = Buffer.from(' {"seq":', 'ascii');

/**
 * Whether a damaged line has a whole good record inside it (a lost newline merged two records).
 * A torn write is a prefix of ONE record, so such a line is damage, not a tear. ` {"seq":` can only
 * occur where a record starts: JSON.stringify writes no spaces and escapes quotes inside strings.
 */
function holdsWholeRecord(line: Buffer): boolean {
  for (let at = line.indexOf(RECORD_START, 9); at !== -1; at = line.indexOf(RECORD_START, at + 1)) {
    if (at >= 8 && decodeLine(line.subarray(at - 8)).ok) {
      return true;
    }
  }
  return false;
}

export interface SegmentScan<T> {
  records: { record: JournalRecord<T>; offset: number; bytes: number }[];
  /** Bytes of good records: where the file ends, or must be cut to, for the next append. */
  goodBytes: number;
  /** A damaged record at the very end (a write cut short by a crash): where it starts. */
  tornAt: number | null;
  /** Damage followed by more records: never repaired automatically. */
  corrupt: { offset: number; reason: string } | null;
}

/**
 * Splits a segment's bytes into records. Appends are written and fsynced one record at a time, so
 * a crash can only leave the LAST line of the LAST segment half-written (possibly followed by
 * zero bytes a file system pre-allocated, which contain no newline). Damage anywhere else was
 * fsynced as good data and went bad afterwards: it is reported, not skipped. A damaged last line
 * is taken for a tear (it cannot be told from one) unless a whole record hides inside it.
 */
export function scanSegment<T>(data: Buffer, isLastSegment: boolean): SegmentScan<T> {
  const records: SegmentScan<T>['records'] = [];
  let offset = 0;
  while (offset < data.length) {
    const newline = data.indexOf(NEWLINE, offset);
    const end = newline === -1 ? data.length : newline;
    const parsed = newline === -1 ? null : decodeLine<T>(data.subarray(offset, end));
    if (parsed?.ok) {
      records.push({ record: parsed.record, offset, bytes: end + 1 - offset });
      offset = end + 1;
      continue;
    }
    const reason = parsed ? parsed.reason : 'record without its ending newline';
    const isFinalLine = newline === -1 || data.indexOf(NEWLINE, newline + 1) === -1;
    if (isLastSegment && isFinalLine && !holdsWholeRecord(data.subarray(offset, end))) {
      return { records, goodBytes: offset, tornAt: offset, corrupt: null };
    }
    return { records, goodBytes: offset, tornAt: null, corrupt: { offset, reason } };
  }
  return { records, goodBytes: offset, tornAt: null, corrupt: null };
}

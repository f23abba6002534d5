import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirectory, writeFileAtomically } from './durable-files';
import { JournalClosedError, JournalCorruptError, JournalFailedError, JournalFullError } from './journal.errors';
import { encodeRecord, JournalRecord, scanSegment } from './journal-record';

/** Where the journal reports what it repaired; a pino logger fits as it is. */
export interface JournalLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface EventJournalOptions {
  /** Unacknowledged records the journal holds at most; append refuses beyond (never drops the oldest). */
  maxRecords: number;
  /** Unacknowledged bytes (as written, record framing included) the journal holds at most. */
  maxBytes: number;
  /** A new segment file is started when the next record would take the current one past this size. */
  segmentBytes?: number;
  logger?: JournalLogger;
  /** The journal's clock for a record's `at` (tests pin it). */
  now?: () => Date;
}

/** Defaults the agent's configuration starts from (docs/agents.md, "Settings", explains the sizes). */
export const JOURNAL_DEFAULTS = {
  maxRecords: 100_000,
  maxBytes: 64 * 1024 * 1024,
  segmentBytes: 1024 * 1024,
} as const;

/** A torn last record cut off on open: a crash happened while it was being written. */
export interface JournalRecovery {
  file: string;
  offset: number;
  bytesDropped: number;
}

export interface JournalStats {
  pendingRecords: number;
  pendingBytes: number;
  maxRecords: number;
  maxBytes: number;
  /** The fuller of the two limits, 0…1: 1 means append refuses. */
  fill: number;
  ackedThrough: number;
  /** The last seq handed out (0 before the first append). */
  lastSeq: number;
  segments: number;
}

interface Segment {
  path: string;
  firstSeq: number;
  /** firstSeq − 1 while the segment is empty. */
  lastSeq: number;
  bytes: number;
}

const SEGMENT_NAME = /^events-(\d{12})\.jnl$/;
const ACK_FILE = 'acked.json';

const stderrLogger: JournalLogger = {
  warn(fields, message) {
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg: message, ...fields })}\n`);
  },
};

/**
 * The desk agent's durable local event journal: events that must reach the centre exactly once
 * (trace-code scans) are appended here before anything else happens to them, and stay until the
 * centre acknowledges them.
 *
 * Contract:
 * - `append` resolves only once the record is fsynced: a record whose append resolved survives a
 *   crash, a kill or a power cut. Appends run one at a time in call order; seqs are contiguous.
 * - `seq` grows by one per record and is never reused, also after restarts and compaction.
 * - `pending()` is every unacknowledged record in seq order; `ack(n)` durably acknowledges all
 *   records up to n (idempotent: an older ack is a no-op).
 * - A full journal refuses (JournalFullError); a damaged file other than a torn last record stops
 *   open (JournalCorruptError); a failed write stops further appends (JournalFailedError).
 * - One process per directory: the agent holds the journal for its life.
 *
 * Files in `dir`: `events-<first seq>.jnl` segments (one record per line, CRC-32 + JSON) and
 * `acked.json` (the highest acknowledged seq, replaced atomically).
 */
export class EventJournal<T = unknown> {
  private readonly pendingRecords: { record: JournalRecord<T>; bytes: number }[] = [];
  private pendingBytes = 0;
  private handle: fs.FileHandle | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private failure: JournalFailedError | null = null;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly limits: Required<Pick<EventJournalOptions, 'maxRecords' | 'maxBytes' | 'segmentBytes'>>,
    private readonly logger: JournalLogger,
    private readonly now: () => Date,
    private readonly segments: Segment[],
    private ackedThrough: number,
    private nextSeq: number,
    /** Torn records cut off when this journal was opened. */
    readonly recoveries: readonly JournalRecovery[],
  ) {}

  /**
   * Opens (creating if needed) the journal in `dir`: reads every segment, truncates a torn last
   * record (logged, listed in `recoveries`), deletes fully acknowledged segments.
   */
  static async open<T = unknown>(dir: string, options: EventJournalOptions): Promise<EventJournal<T>> {
    const limits = {
      maxRecords: positiveInteger('maxRecords', options.maxRecords),
      maxBytes: positiveInteger('maxBytes', options.maxBytes),
      segmentBytes: positiveInteger('segmentBytes', options.segmentBytes ?? JOURNAL_DEFAULTS.segmentBytes),
    };
    const logger = options.logger ?? stderrLogger;
    await fs.mkdir(dir, { recursive: true });
    await fs.rm(join(dir, `${ACK_FILE}.tmp`), { force: true });
    const ackedThrough = await readAck(join(dir, ACK_FILE));

    const names = (await fs.readdir(dir))
      .map((name) => ({ name, match: SEGMENT_NAME.exec(name) }))
      .filter((n): n is { name: string; match: RegExpExecArray } => n.match !== null)
      .map((n) => ({ path: join(dir, n.name), firstSeq: Number(n.match[1]) }))
      .sort((a, b) => a.firstSeq - b.firstSeq);

    const segments: Segment[] = [];
    const records: { record: JournalRecord<T>; bytes: number }[] = [];
    const recoveries: JournalRecovery[] = [];
    for (const [i, { path, firstSeq }] of names.entries()) {
      const data = await fs.readFile(path);
      const scan = scanSegment<T>(data, i === names.length - 1);
      if (scan.corrupt) {
        throw new JournalCorruptError(path, scan.corrupt.offset, scan.corrupt.reason);
      }
      let expected = firstSeq;
      const previous = segments.at(-1);
      // A gap is damage unless every seq in it was acknowledged (fastForward: the centre had them).
      if (previous && previous.lastSeq + 1 !== firstSeq && firstSeq - 1 > ackedThrough) {
        throw new JournalCorruptError(
          path,
          0,
          `segment starts at seq ${firstSeq} but the previous one ends at seq ${previous.lastSeq}: a segment is missing`,
        );
      }
      for (const r of scan.records) {
        if (r.record.seq !== expected) {
          throw new JournalCorruptError(path, r.offset, `seq ${r.record.seq} where seq ${expected} was expected`);
        }
        expected++;
        if (r.record.seq > ackedThrough) {
          records.push({ record: r.record, bytes: r.bytes });
        }
      }
      if (scan.tornAt !== null) {
        await truncateFile(path, scan.goodBytes);
        const recovery = { file: path, offset: scan.tornAt, bytesDropped: data.length - scan.goodBytes };
        recoveries.push(recovery);
        logger.warn(
          { ...recovery },
          'event journal: a record torn by a crash while it was written was cut off (its append had not completed)',
        );
      }
      segments.push({ path, firstSeq, lastSeq: expected - 1, bytes: scan.goodBytes });
    }

    const lastSeq = segments.at(-1)?.lastSeq ?? 0;
    const journal = new EventJournal<T>(
      dir,
      limits,
      logger,
      options.now ?? (() => new Date()),
      segments,
      ackedThrough,
      Math.max(lastSeq, ackedThrough) + 1,
      recoveries,
    );
    for (const r of records) {
      journal.pendingRecords.push(r);
      journal.pendingBytes += r.bytes;
    }
    await journal.openActiveSegment();
    await journal.deleteAcknowledgedSegments();
    return journal;
  }

  /**
   * Appends one event and resolves once it is on disk (fsynced), with the record as `pending()`
   * will return it. The event must be plain JSON (the wire form of a device event).
   */
  append(event: T): Promise<JournalRecord<T>> {
    return this.exclusive(async () => {
      this.assertUsable();
      const encoded = encodeRecord({ seq: this.nextSeq, at: this.now().toISOString(), event });
      if (encoded.length > this.limits.maxBytes) {
        throw new RangeError(
          `event of ${encoded.length} bytes can never fit the journal (maxBytes ${this.limits.maxBytes}): it was not kept`,
        );
      }
      if (this.pendingRecords.length + 1 > this.limits.maxRecords) {
        throw new JournalFullError('maxRecords', this.pendingRecords.length, this.pendingBytes, this.limits.maxRecords);
      }
      if (this.pendingBytes + encoded.length > this.limits.maxBytes) {
        throw new JournalFullError('maxBytes', this.pendingRecords.length, this.pendingBytes, this.limits.maxBytes);
      }
      let active = this.activeSegment();
      if (active.bytes > 0 && active.bytes + encoded.length > this.limits.segmentBytes) {
        await this.guard(active.path, () => this.roll());
        active = this.activeSegment();
      }
      const handle = this.handle as fs.FileHandle;
      await this.guard(active.path, async () => {
        await handle.write(encoded, 0, encoded.length, active.bytes);
        await handle.sync();
      });
      const record = JSON.parse(encoded.subarray(9).toString('utf8')) as JournalRecord<T>;
      active.bytes += encoded.length;
      active.lastSeq = record.seq;
      this.nextSeq++;
      this.pendingRecords.push({ record, bytes: encoded.length });
      this.pendingBytes += encoded.length;
      return record;
    });
  }

  /** The unacknowledged records in seq order: all of them, or the oldest `limit` (a delivery batch). */
  pending(limit = Infinity): JournalRecord<T>[] {
    return this.pendingRecords.slice(0, limit).map((r) => r.record);
  }

  /**
   * Durably acknowledges every record up to `uptoSeq` (the centre has them): they leave `pending()`
   * and segments holding only acknowledged records are deleted. Acknowledging what is already
   * acknowledged is a no-op; acknowledging a seq not yet appended is an error.
   */
  ack(uptoSeq: number): Promise<void> {
    return this.exclusive(async () => {
      this.assertOpen();
      if (!Number.isSafeInteger(uptoSeq) || uptoSeq < 0) {
        throw new RangeError(`ack needs a seq (a whole number ≥ 0), got ${String(uptoSeq)}`);
      }
      if (uptoSeq <= this.ackedThrough) {
        return;
      }
      if (uptoSeq >= this.nextSeq) {
        throw new RangeError(
          `cannot acknowledge seq ${uptoSeq}: the journal's last seq is ${this.nextSeq - 1} (an ack from another journal?)`,
        );
      }
      await writeFileAtomically(join(this.dir, ACK_FILE), `${JSON.stringify({ ackedThrough: uptoSeq })}\n`);
      this.ackedThrough = uptoSeq;
      let n = 0;
      while (n < this.pendingRecords.length && this.pendingRecords[n].record.seq <= uptoSeq) {
        this.pendingBytes -= this.pendingRecords[n].bytes;
        n++;
      }
      this.pendingRecords.splice(0, n);
      await this.deleteAcknowledgedSegments();
    });
  }

  /**
   * The centre already holds events up to `seq` from this agent, beyond anything in this journal
   * (the journal was deleted or the data directory restored from an old copy): the next record must
   * get seq + 1, or the centre would take new scans for ones it already has and drop them. Only with
   * nothing pending (pending records would be misnumbered against the centre's count). Durable: the
   * acknowledgement is written first, then a new segment named by seq + 1 takes the appends.
   */
  fastForward(seq: number): Promise<void> {
    return this.exclusive(async () => {
      this.assertUsable();
      if (!Number.isSafeInteger(seq) || seq < 0) {
        throw new RangeError(`fastForward needs a seq (a whole number ≥ 0), got ${String(seq)}`);
      }
      if (seq < this.nextSeq) {
        return;
      }
      if (this.pendingRecords.length > 0) {
        throw new RangeError(
          `cannot fast-forward to seq ${seq} with ${this.pendingRecords.length} records pending from seq ${this.pendingRecords[0].record.seq}`,
        );
      }
      await this.guard(join(this.dir, ACK_FILE), async () => {
        await writeFileAtomically(join(this.dir, ACK_FILE), `${JSON.stringify({ ackedThrough: seq })}\n`);
        this.ackedThrough = seq;
        this.nextSeq = seq + 1;
        await this.handle?.close();
        this.handle = null;
        await this.createSegment();
      });
      await this.deleteAcknowledgedSegments();
    });
  }

  stats(): JournalStats {
    const { maxRecords, maxBytes } = this.limits;
    return {
      pendingRecords: this.pendingRecords.length,
      pendingBytes: this.pendingBytes,
      maxRecords,
      maxBytes,
      fill: Math.min(1, Math.max(this.pendingRecords.length / maxRecords, this.pendingBytes / maxBytes)),
      ackedThrough: this.ackedThrough,
      lastSeq: this.nextSeq - 1,
      segments: this.segments.length,
    };
  }

  /** Closes the segment file; waits for appends and acks already started. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) {
        return;
      }
      this.closed = true;
      await this.handle?.close();
      this.handle = null;
    });
  }

  /** Runs one operation at a time, in call order: the file is written in seq order. */
  private exclusive<R>(operation: () => Promise<R>): Promise<R> {
    const run = this.tail.then(operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** A failed write or fsync leaves the file in an unknown state: no more appends until reopened. */
  private async guard(file: string, io: () => Promise<void>): Promise<void> {
    try {
      await io();
    } catch (error) {
      this.failure = new JournalFailedError(file, error);
      throw this.failure;
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new JournalClosedError();
    }
  }

  private assertUsable(): void {
    this.assertOpen();
    if (this.failure) {
      throw this.failure;
    }
  }

  private activeSegment(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /** The last segment takes appends; a new one is started when there is none or it does not continue the seqs. */
  private async openActiveSegment(): Promise<void> {
    const last = this.segments.at(-1);
    if (!last || last.lastSeq + 1 !== this.nextSeq) {
      await this.createSegment();
      return;
    }
    this.handle = await fs.open(last.path, 'r+');
  }

  private async roll(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    await this.createSegment();
  }

  /** A new segment named by the seq it starts with: even empty, its name keeps the seq counter. */
  private async createSegment(): Promise<void> {
    const path = join(this.dir, `events-${String(this.nextSeq).padStart(12, '0')}.jnl`);
    this.handle = await fs.open(path, 'wx');
    await this.handle.sync();
    await fsyncDirectory(this.dir);
    this.segments.push({ path, firstSeq: this.nextSeq, lastSeq: this.nextSeq - 1, bytes: 0 });
  }

  /**
   * Deletes the oldest segments while all their records are acknowledged. The active segment stays
   * (its name and records keep the seq counter even if acked.json were lost).
   */
  private async deleteAcknowledgedSegments(): Promise<void> {
    let deleted = 0;
    while (this.segments.length > 1 && this.segments[0].lastSeq <= this.ackedThrough) {
      const { path } = this.segments[0];
      try {
        await fs.unlink(path);
      } catch (error) {
        // Windows refuses while another process (an antivirus scanner) has the file open: the
        // next ack or open deletes it; its records are acknowledged and will not be delivered.
        this.logger.warn(
          { file: path, error: (error as Error).message },
          'event journal: could not delete an acknowledged segment yet',
        );
        break;
      }
      this.segments.shift();
      deleted++;
    }
    if (deleted > 0) {
      await fsyncDirectory(this.dir);
    }
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`event journal option ${name} must be a whole number > 0, got ${String(value)}`);
  }
  return value;
}

async function readAck(path: string): Promise<number> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return 0;
    }
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JournalCorruptError(path, 0, 'the acknowledgement file is not JSON');
  }
  const acked = (value as { ackedThrough?: unknown } | null)?.ackedThrough;
  if (typeof acked !== 'number' || !Number.isSafeInteger(acked) || acked < 0) {
    throw new JournalCorruptError(path, 0, 'the acknowledgement file has no ackedThrough seq');
  }
  return acked;
}

async function truncateFile(path: string, size: number): Promise<void> {
  const handle = await fs.open(path, 'r+');
  try {
    await handle.truncate(size);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

import { mkdtempSync, promises as fs, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from './crc32';
import { EventJournal, EventJournalOptions, JournalLogger } from './event-journal';
import { JournalCorruptError, JournalFailedError, JournalFullError } from './journal.errors';
import { encodeRecord } from './journal-record';

interface ScanEvent {
  type: 'scan';
  text: string;
  at: string;
}

const scan = (n: number): ScanEvent => ({
  type: 'scan',
  text: `8${String(n).padStart(19, '0')}`,
  at: new Date(Date.UTC(2026, 11, 3, 6, 0, 0, n)).toISOString(),
});

const big = { maxRecords: 100_000, maxBytes: 64 * 1024 * 1024 };

describe(EventJournal.name, () => {
  let dir: string;
  let warnings: { fields: Record<string, unknown>; message: string }[];
  let logger: JournalLogger;
  const open = (options: Partial<EventJournalOptions> = {}) =>
    EventJournal.open<ScanEvent>(dir, { ...big, logger, ...options });
  const segmentFiles = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.jnl'))
      .sort();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    warnings = [];
    logger = { warn: (fields, message) => warnings.push({ fields, message }) };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends with increasing seqs, lists the unacknowledged ones in order, and forgets what was acknowledged', async () => {
    const sut = await open({ now: () => new Date('2026-12-03T06:00:00.000Z') });
    const first = await sut.append(scan(1));
    await sut.append(scan(2));
    await sut.append(scan(3));
    expect(first).toEqual({ seq: 1, at: '2026-12-03T06:00:00.000Z', event: scan(1) });
    expect(sut.pending().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(sut.pending().map((r) => r.event)).toEqual([scan(1), scan(2), scan(3)]);

    await sut.ack(2);
    expect(sut.pending().map((r) => r.seq)).toEqual([3]);
    await sut.ack(1); // an older ack (a duplicate from the centre) changes nothing
    expect(sut.pending().map((r) => r.seq)).toEqual([3]);
    await expect(sut.ack(4)).rejects.toThrow(/cannot acknowledge seq 4: the journal's last seq is 3/);
    await expect(sut.ack(1.5)).rejects.toThrow(RangeError);
    expect(sut.stats()).toMatchObject({ pendingRecords: 1, ackedThrough: 2, lastSeq: 3 });
    expect(JSON.parse(readFileSync(join(dir, 'acked.json'), 'utf8'))).toEqual({ ackedThrough: 2 });
    await sut.close();
  });

  it('runs concurrent appends one at a time in call order', async () => {
    const sut = await open();
    const records = await Promise.all(Array.from({ length: 50 }, (_, i) => sut.append(scan(i + 1))));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(sut.pending().map((r) => r.event.text)).toEqual(records.map((r) => r.event.text));
    await sut.close();
  });

  it('keeps the seq counter and the unacknowledged records across a restart', async () => {
    const before = await open();
    for (let n = 1; n <= 5; n++) {
      await before.append(scan(n));
    }
    await before.ack(2);
    await before.close();

    const after = await open();
    expect(after.pending().map((r) => [r.seq, r.event])).toEqual([
      [3, scan(3)],
      [4, scan(4)],
      [5, scan(5)],
    ]);
    expect((await after.append(scan(6))).seq).toBe(6);
    expect(after.recoveries).toEqual([]);
    await after.close();
  });

  it('rolls segments at their size, deletes a segment once all its records are acknowledged, never reuses a seq', async () => {
    const recordBytes = encodeRecord({ seq: 10, at: new Date().toISOString(), event: scan(10) }).length;
    const sut = await open({ segmentBytes: recordBytes * 4 });
    for (let n = 1; n <= 20; n++) {
      await sut.append(scan(n));
    }
    expect(segmentFiles()).toEqual([
      'events-000000000001.jnl',
      'events-000000000005.jnl',
      'events-000000000009.jnl',
      'events-000000000013.jnl',
      'events-000000000017.jnl',
    ]);
    await sut.ack(10); // segments 1-4 and 5-8 are fully acknowledged; 9-12 is not
    expect(segmentFiles()).toEqual(['events-000000000009.jnl', 'events-000000000013.jnl', 'events-000000000017.jnl']);
    await sut.ack(20); // the active segment stays: its name and records keep the seq counter
    expect(segmentFiles()).toEqual(['events-000000000017.jnl']);
    expect(sut.pending()).toEqual([]);
    await sut.close();

    const reopened = await open({ segmentBytes: recordBytes * 4 });
    expect(reopened.pending()).toEqual([]);
    expect((await reopened.append(scan(21))).seq).toBe(21);
    expect(segmentFiles()).toEqual(['events-000000000017.jnl', 'events-000000000021.jnl']);
    await reopened.ack(21); // the next ack deletes the rolled-over, fully acknowledged segment
    expect(segmentFiles()).toEqual(['events-000000000021.jnl']);
    await reopened.close();
  });

  it('cuts off a torn last record on open (logged), never delivers half of it, and appends after it cleanly', async () => {
    const before = await open();
    for (let n = 1; n <= 3; n++) {
      await before.append(scan(n));
    }
    await before.close();
    const [file] = segmentFiles();
    const goodSize = (await fs.stat(join(dir, file))).size;
    const fourth = encodeRecord({ seq: 4, at: new Date().toISOString(), event: scan(4) });
    appendFileSync(join(dir, file), fourth.subarray(0, Math.floor(fourth.length / 2))); // crash mid-write

    const after = await open();
    expect(after.pending().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(after.recoveries).toEqual([
      { file: join(dir, file), offset: goodSize, bytesDropped: Math.floor(fourth.length / 2) },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(/torn by a crash/);
    expect((await fs.stat(join(dir, file))).size).toBe(goodSize);
    expect((await after.append(scan(4))).seq).toBe(4);
    await after.close();

    const again = await open();
    expect(again.pending().map((r) => r.event)).toEqual([scan(1), scan(2), scan(3), scan(4)]);
    expect(again.recoveries).toEqual([]);
    await again.close();
  });

  it.each([
    ['zero bytes a file system pre-allocated', () => Buffer.alloc(300)],
    ['a whole last line whose checksum does not match', () => Buffer.from('0badc0de {"seq":4,"at":"x","event":{}}\n')],
    ['a last line without its checksum', () => Buffer.from('{"seq":4}\n')],
  ])('treats %s at the end as a torn record', async (_what, tail) => {
    const before = await open();
    await before.append(scan(1));
    await before.close();
    appendFileSync(join(dir, segmentFiles()[0]), tail());

    const after = await open();
    expect(after.pending().map((r) => r.seq)).toEqual([1]);
    expect(after.recoveries).toHaveLength(1);
    await after.close();
  });

  it('refuses to open on a damaged record in the middle, naming the file and the offset, and changes nothing', async () => {
    const before = await open();
    const offsets: number[] = [];
    for (let n = 1; n <= 3; n++) {
      offsets.push(before.stats().pendingBytes);
      await before.append(scan(n));
    }
    await before.close();
    const file = join(dir, segmentFiles()[0]);
    const damaged = readFileSync(file);
    damaged[offsets[1] + 30] ^= 0x01; // one flipped bit in record 2
    writeFileSync(file, damaged);

    const error = await open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect(error).toMatchObject({ file, offset: offsets[1], reason: 'checksum mismatch', corrupt: true });
    expect((error as Error).message).toContain(`${file} is damaged at byte offset ${offsets[1]}`);
    expect(readFileSync(file)).toEqual(damaged);
  });

  it('refuses to open when records do not follow each other (a segment or a record is missing)', async () => {
    const recordBytes = encodeRecord({ seq: 1, at: new Date().toISOString(), event: scan(1) }).length;
    const before = await open({ segmentBytes: recordBytes * 2 });
    for (let n = 1; n <= 6; n++) {
      await before.append(scan(n));
    }
    await before.close();
    rmSync(join(dir, 'events-000000000003.jnl'));

    await expect(open()).rejects.toThrow(
      /events-000000000005\.jnl is damaged at byte offset 0 \(segment starts at seq 5 but the previous one ends at seq 2/,
    );
  });

  it('fast-forwards past seqs the centre already holds (a deleted journal), also across a crash and a restart', async () => {
    const j = await open();
    await j.append(scan(1));
    await j.append(scan(2));
    await expect(j.fastForward(40)).rejects.toThrow(/2 records pending from seq 1/);
    await j.ack(2);
    await j.fastForward(40);
    await j.fastForward(10); // behind: no-op
    expect((await j.append(scan(3))).seq).toBe(41);
    expect(j.stats()).toMatchObject({ ackedThrough: 40, lastSeq: 41, pendingRecords: 1 });
    await j.close();
    const again = await open();
    expect(again.pending().map((r) => r.seq)).toEqual([41]);
    expect((await again.append(scan(4))).seq).toBe(42);
    await again.close();

    // A crash after the ack was written and before the new segment: the old segment is still the
    // newest on disk; open starts a segment at the acknowledged seq + 1, and the gap is not damage.
    const crashed = mkdtempSync(join(tmpdir(), 'journal-ff-'));
    try {
      const c = await EventJournal.open<ScanEvent>(crashed, { ...big, logger });
      await c.append(scan(1));
      await c.close();
      writeFileSync(join(crashed, 'acked.json'), JSON.stringify({ ackedThrough: 70 }));
      const reopened = await EventJournal.open<ScanEvent>(crashed, { ...big, logger });
      expect((await reopened.append(scan(2))).seq).toBe(71);
      await reopened.close();
      const third = await EventJournal.open<ScanEvent>(crashed, { ...big, logger });
      expect(third.stats()).toMatchObject({ lastSeq: 71, pendingRecords: 1 });
      await third.close();
    } finally {
      rmSync(crashed, { recursive: true, force: true });
    }
  });

  it('refuses an append when maxRecords unacknowledged records are held, keeps the others, takes more after an ack', async () => {
    const sut = await open({ maxRecords: 3 });
    for (let n = 1; n <= 3; n++) {
      await sut.append(scan(n));
    }
    const error = await sut.append(scan(4)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalFullError);
    expect(error).toMatchObject({ code: 'AGENT_JOURNAL_FULL', full: true, limit: 'maxRecords', max: 3 });
    expect((error as JournalFullError).messageZh).toContain('离线缓存已满');
    expect(sut.pending().map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(sut.stats().fill).toBe(1);

    await sut.ack(1);
    expect((await sut.append(scan(4))).seq).toBe(4); // the refused append used no seq
    await sut.close();
  });

  it('refuses an append that would take the unacknowledged bytes past maxBytes', async () => {
    const recordBytes = encodeRecord({ seq: 1, at: new Date().toISOString(), event: scan(1) }).length;
    const sut = await open({ maxBytes: recordBytes * 2 + 10 });
    await sut.append(scan(1));
    await sut.append(scan(2));
    await expect(sut.append(scan(3))).rejects.toMatchObject({ limit: 'maxBytes', pendingRecords: 2 });
    await expect(sut.append({ ...scan(3), text: 'x'.repeat(recordBytes * 3) })).rejects.toThrow(
      /can never fit the journal/,
    );
    expect(sut.stats().fill).toBeCloseTo((recordBytes * 2) / (recordBytes * 2 + 10));
    await sut.close();
  });

  it('takes no more appends after a failed fsync, until reopened', async () => {
    const sut = await open();
    await sut.append(scan(1));
    const probe = await fs.open(join(dir, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
    await probe.close();
    const sync = jest
      .spyOn(fileHandle, 'sync')
      .mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    try {
      await expect(sut.append(scan(2))).rejects.toBeInstanceOf(JournalFailedError);
      await expect(sut.append(scan(3))).rejects.toThrow(/takes no more events until it is reopened/);
    } finally {
      sync.mockRestore();
    }
    await sut.close();
    const reopened = await open();
    // The write reached the page cache before the fsync failed: the record may be there or not; never half.
    expect([[1], [1, 2]]).toContainEqual(reopened.pending().map((r) => r.seq));
    await reopened.close();
  });

  it('delivers 500 scans exactly once, in order, with their scan times, acknowledged in batches across a restart', async () => {
    let sut = await open({ segmentBytes: 8 * 1024 });
    for (let n = 1; n <= 500; n++) {
      await sut.append(scan(n));
    }
    const delivered: ScanEvent[] = [];
    let batches = 0;
    while (sut.pending().length > 0) {
      const batch = sut.pending(37);
      delivered.push(...batch.map((r) => r.event));
      await sut.ack(batch[batch.length - 1].seq);
      if (++batches === 5) {
        await sut.close(); // the agent restarts halfway through the delivery
        sut = await open({ segmentBytes: 8 * 1024 });
      }
    }
    expect(delivered).toEqual(Array.from({ length: 500 }, (_, i) => scan(i + 1)));
    expect(segmentFiles()).toHaveLength(1);
    await sut.close();
  });

  it('measures what fsyncing 500 appends costs on this disk (printed, not asserted)', async () => {
    const sut = await open();
    const started = process.hrtime.bigint();
    for (let n = 1; n <= 500; n++) {
      await sut.append(scan(n));
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(
      `\n[journal] 500 fsynced appends in ${dir}: ${ms.toFixed(0)} ms, ${(ms / 500).toFixed(2)} ms per scan\n`,
    );
    expect(sut.stats().pendingRecords).toBe(500);
    await sut.close();
  });
});

describe(crc32.name, () => {
  it('is the IEEE CRC-32 (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});

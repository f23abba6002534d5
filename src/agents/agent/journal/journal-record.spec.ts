import fc from 'fast-check';
import { decodeLine, encodeRecord, JournalRecord, scanSegment } from './journal-record';

const record = (seq: number): JournalRecord<{ text: string }> => ({
  seq,
  at: '2026-12-03T06:00:00.000Z',
  event: { text: `追溯码 8${String(seq).padStart(19, '0')}\n(line break inside a string)` },
});

describe(scanSegment.name, () => {
  const records = [1, 2, 3, 4, 5].map(record);
  const encoded = records.map((r) => encodeRecord(r));
  const segment = Buffer.concat(encoded);
  const ends = encoded.reduce<number[]>((acc, b) => [...acc, (acc.at(-1) ?? 0) + b.length], []);

  it('reads back what was encoded, one record per line, a newline inside a string included', () => {
    const scan = scanSegment(segment, true);
    expect(scan.records.map((r) => r.record)).toEqual(records);
    expect(scan).toMatchObject({ goodBytes: segment.length, tornAt: null, corrupt: null });
    expect(decodeLine(encoded[0].subarray(0, encoded[0].length - 1))).toEqual({ ok: true, record: records[0] });
  });

  it('cut at any byte (a crash mid-write) yields the whole records before the cut and nothing of the cut one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: segment.length }), (cut) => {
        const scan = scanSegment(segment.subarray(0, cut), true);
        const whole = ends.filter((end) => end <= cut).length;
        expect(scan.corrupt).toBeNull();
        expect(scan.records.map((r) => r.record)).toEqual(records.slice(0, whole));
        expect(scan.goodBytes).toBe(whole === 0 ? 0 : ends[whole - 1]);
        expect(scan.tornAt).toBe(cut === scan.goodBytes ? null : scan.goodBytes);
      }),
    );
  });

  /** One changed byte (not into a newline, which splits a record: a case of its own below). */
  function expectDamageFound(at: number, xor: number): void {
    const damaged = Buffer.from(segment);
    damaged[at] ^= xor;
    if (damaged[at] === 0x0a) {
      return;
    }
    const index = ends.findIndex((end) => at < end);
    const start = index === 0 ? 0 : ends[index - 1];
    const scan = scanSegment(damaged, true);
    if (index === records.length - 1) {
      expect(scan).toMatchObject({ tornAt: start, corrupt: null });
    } else {
      expect(scan.corrupt?.offset).toBe(start);
    }
    expect(scan.records).toHaveLength(index);
  }

  it('a changed byte in any record but the last is damage, reported at that record; in the last one, a torn tail', () => {
    for (let at = 0; at < segment.length - 1; at++) {
      expectDamageFound(at, 0x01);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: segment.length - 2 }), fc.integer({ min: 1, max: 255 }), expectDamageFound),
      { numRuns: 500 },
    );
  });

  it('a lost newline merging the last two records is damage, not a tear: a torn write is part of one record', () => {
    const damaged = Buffer.from(segment);
    damaged[ends[3] - 1] = 0x20;
    expect(scanSegment(damaged, true)).toMatchObject({ tornAt: null, corrupt: { offset: ends[2] } });
  });

  it('a damaged record split by a newline inside it is damage', () => {
    const damaged = Buffer.from(segment);
    damaged[ends[1] + 20] = 0x0a;
    expect(scanSegment(damaged, true).corrupt?.offset).toBe(ends[1]);
  });

  it('in a segment that is not the last, even a cut last record is damage: it was fsynced before the next segment began', () => {
    const scan = scanSegment(segment.subarray(0, segment.length - 5), false);
    expect(scan.corrupt).toEqual({ offset: ends[3], reason: 'record without its ending newline' });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventJournal } from './event-journal';
import { decodeDeviceEvent, encodeDeviceEvent, type LinkValue } from '../../link/event-codec';
import { AgentDeviceEvent, eventTime, handlingOf, OfflinePolicy, OFFLINE_POLICY_DEFAULTS } from './offline-policy';

const T0 = Date.UTC(2026, 11, 3, 6, 0, 0); // 14:00 in Beijing
const at = (ms: number) => new Date(T0 + ms);

type ScanEvent = Extract<AgentDeviceEvent, { type: 'scan' }>;

function traceScan(n: number, ms: number): ScanEvent {
  const code = `8${String(n).padStart(19, '0')}`;
  return {
    type: 'scan',
    deviceId: 'scanner-1',
    desk: '药房1',
    source: 'device',
    scan: {
      text: code,
      classification: { kind: 'trace-code', code, productCode: code.slice(0, 7), platform: 'msfx' } as never,
      at: at(ms),
    },
  };
}

function withClassification(event: ScanEvent, classification: Record<string, unknown>): ScanEvent {
  return { ...event, scan: { ...event.scan, classification: classification as never } };
}

function cardRead(deviceId: string, ms: number, name = '张三'): AgentDeviceEvent {
  return {
    type: 'id-card',
    deviceId,
    desk: '门诊挂号3',
    read: { identity: { name, idNumber: '640104199001011234' } as never, photo: Buffer.alloc(0), at: at(ms) },
  };
}

function status(deviceId: string, ms: number, state: 'connected' | 'disconnected'): AgentDeviceEvent {
  return { type: 'status', deviceId, desk: '门诊挂号3', status: { state, message: state, at: at(ms) } };
}

describe(OfflinePolicy.name, () => {
  it('journals drug scans, treats card, ID and identity scans as live reads, and keeps only the latest status', () => {
    expect(handlingOf(traceScan(1, 0))).toBe('journal');
    expect(
      handlingOf(withClassification(traceScan(1, 0), { kind: 'refused', code: 'TOO_LONG', message: '太长' })),
    ).toBe('journal');
    // A misread ID number is still personal data: not written to the desk's disk.
    expect(
      handlingOf(
        withClassification(traceScan(1, 0), { kind: 'refused', code: 'ID_CHECK_DIGIT', message: '校验位错误' }),
      ),
    ).toBe('live-read');
    expect(handlingOf(cardRead('id-1', 0))).toBe('live-read');
    expect(
      handlingOf(
        withClassification(traceScan(1, 0), { kind: 'id-number', value: '640104199001011234', generation: 2 }),
      ),
    ).toBe('live-read');
    expect(handlingOf(withClassification(traceScan(1, 0), { kind: 'qr-token', token: 'abc' }))).toBe('live-read');
    expect(handlingOf(status('id-1', 0, 'connected'))).toBe('latest-state');
  });

  it('online: scans go to the journal, reads and statuses are sent live', () => {
    const sut = new OfflinePolicy();
    expect(sut.route(traceScan(1, 0))).toBe('journal');
    expect(sut.route(cardRead('id-1', 0))).toBe('send');
    expect(sut.route(status('id-1', 0, 'connected'))).toBe('send');
    expect(sut.linkUp(at(1))).toBeNull();
  });

  it('offline: replays a read younger than maxReadAgeMs marked replayed with its read time, drops older and superseded ones', () => {
    const sut = new OfflinePolicy({ maxReadAgeMs: 30_000 });
    sut.linkDown(at(0));
    sut.linkDown(at(5_000)); // repeated: the first time stays
    expect(sut.route(cardRead('id-1', 1_000, '张三'))).toBe('held'); // 60 s old at reconnect: dropped
    expect(sut.route(cardRead('id-2', 10_000, '李四'))).toBe('held'); // replaced on the same reader below
    expect(sut.route(cardRead('id-2', 40_000, '王五'))).toBe('held'); // 21 s old: replayed
    expect(sut.route(traceScan(1, 2_000))).toBe('journal'); // scans are journalled offline too

    const reconnect = sut.linkUp(at(61_000));
    expect(reconnect).toEqual({
      offlineSince: at(0).toISOString(),
      offlineMs: 61_000,
      reads: [cardRead('id-2', 40_000, '王五')],
      statuses: [],
      dropped: { stale: 1, superseded: 1 },
    });
    expect(sut.online).toBe(true);
    expect(sut.status({ pendingRecords: 0, fill: 0 })).toMatchObject({ droppedReads: 2, heldReads: 0, notice: null });
  });

  it('does not replay a read whose time is in the future or unreadable (a clock step): its age is unknown', () => {
    const sut = new OfflinePolicy();
    sut.linkDown(at(0));
    sut.route(cardRead('id-1', 90_000));
    const unreadable = cardRead('id-2', 0) as Extract<AgentDeviceEvent, { type: 'id-card' }>;
    sut.route({ ...unreadable, read: { ...unreadable.read, at: new Date(NaN) } });
    expect(sut.linkUp(at(10_000))?.dropped).toEqual({ stale: 2, superseded: 0 });
  });

  it('replays each device status changed while offline once, as its latest state', () => {
    const sut = new OfflinePolicy();
    sut.linkDown(at(0));
    sut.route(status('id-1', 1_000, 'disconnected'));
    sut.route(status('scanner-1', 2_000, 'disconnected'));
    sut.route(status('id-1', 3_000, 'connected'));
    expect(sut.linkUp(at(4_000))?.statuses).toEqual([
      status('scanner-1', 2_000, 'disconnected'),
      status('id-1', 3_000, 'connected'),
    ]);
  });

  it('tells the desk, in Beijing time, since when it is offline, what is buffered and that reads must be made again', () => {
    const sut = new OfflinePolicy();
    sut.linkDown(at(0));
    sut.route(cardRead('id-1', 1_000));
    const shown = sut.status({ pendingRecords: 12, fill: 0.25 });
    expect(shown).toEqual({
      online: false,
      offlineSince: at(0).toISOString(),
      bufferedScans: 12,
      heldReads: 1,
      droppedReads: 0,
      journalFillPercent: 25,
      notice: expect.stringContaining('14:00 断开'),
    });
    expect(shown.notice).toContain('缓存 12 条');
    expect(shown.notice).toContain('请重新读卡');
    expect(sut.status({ pendingRecords: 100, fill: 1 }).notice).toContain('离线缓存已满');
  });

  it('refuses a negative maxReadAgeMs', () => {
    expect(() => new OfflinePolicy({ maxReadAgeMs: -1 })).toThrow(/maxReadAgeMs/);
    expect(OFFLINE_POLICY_DEFAULTS.maxReadAgeMs).toBe(30_000);
  });
});

describe('OfflinePolicy with the EventJournal: 500 scans while the link is cut', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'journal-offline-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers all 500 exactly once, in order, with their scan times; the card read made during the cut is not replayed', async () => {
    // The journal holds events as they cross the link (event-codec), the centre decodes them at its desk.
    const journal = await EventJournal.open<LinkValue>(dir, { maxRecords: 10_000, maxBytes: 16 * 1024 * 1024 });
    const policy = new OfflinePolicy();
    const centre: { event: AgentDeviceEvent; seq?: number }[] = [];

    policy.linkDown(at(0));
    for (let n = 1; n <= 500; n++) {
      const event = traceScan(n, n * 100);
      expect(policy.route(event)).toBe('journal');
      await journal.append(encodeDeviceEvent(event));
      if (n === 10) {
        expect(policy.route(cardRead('id-1', n * 100))).toBe('held');
      }
    }
    expect(policy.status(journal.stats())).toMatchObject({ online: false, bufferedScans: 500, heldReads: 1 });

    const reconnect = policy.linkUp(at(120_000));
    // The agent delivers the journal in batches; the centre acknowledges each batch. A batch whose
    // ack is lost is delivered again: the centre drops seqs it already has (it keeps the highest).
    let centreHas = 0;
    let lostAck = true;
    while (journal.pending().length > 0) {
      const batch = journal.pending(64);
      for (const r of batch) {
        if (r.seq > centreHas) {
          centre.push({ event: decodeDeviceEvent(r.event, '药房1'), seq: r.seq });
          centreHas = r.seq;
        }
      }
      if (lostAck) {
        lostAck = false;
        continue;
      }
      await journal.ack(batch[batch.length - 1].seq);
    }
    centre.push(...(reconnect?.reads ?? []).map((event) => ({ event })));

    expect(centre).toHaveLength(500);
    expect(centre.map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(centre.map((e) => eventTime(e.event).toISOString())).toEqual(
      Array.from({ length: 500 }, (_, i) => at((i + 1) * 100).toISOString()),
    );
    expect(centre.some((e) => e.event.type === 'id-card')).toBe(false);
    expect(reconnect?.dropped).toEqual({ stale: 1, superseded: 0 });
    expect(policy.status(journal.stats())).toMatchObject({
      online: true,
      bufferedScans: 0,
      droppedReads: 1,
      notice: null,
    });
    await journal.close();
  });
});

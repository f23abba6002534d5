import type { LocalRead } from './agent-state';
import { LocalReads } from './local-reads';

/** A scan at `at` on `deviceId` (the fields the reader service looks at; the rest as the scanner gives them). */
const scan = (deviceId: string, at: Date, text = '81234567890123456789'): LocalRead =>
  ({
    type: 'scan',
    deviceId,
    desk: '门诊挂号1',
    scan: { text, at, classification: { kind: 'trace-code' } },
    source: 'device',
  }) as unknown as LocalRead;

describe(LocalReads.name, () => {
  let now = new Date('2026-12-03T08:00:00Z');
  const reads = (): LocalReads => new LocalReads(() => now);

  beforeEach(() => {
    now = new Date('2026-12-03T08:00:00Z');
  });

  it('hands out the freshest held read of a wanted kind, never one older than maxAgeMs', async () => {
    const sut = reads();
    sut.record(scan('s1', new Date(now.getTime() - 3_000), 'older'));
    sut.record(scan('s2', new Date(now.getTime() - 1_000), 'newer'));
    await expect(sut.read({ kinds: ['scan'], maxAgeMs: 5_000, waitMs: 0 })).resolves.toMatchObject({
      deviceId: 's2',
    });
    await expect(sut.read({ kinds: ['scan'], deviceId: 's1', maxAgeMs: 5_000, waitMs: 0 })).resolves.toMatchObject({
      deviceId: 's1',
    });
    await expect(sut.read({ kinds: ['scan'], maxAgeMs: 500, waitMs: 10 })).resolves.toBeNull();
    await expect(sut.read({ kinds: ['id-card'], maxAgeMs: 5_000, waitMs: 10 })).resolves.toBeNull();
  });

  it('waits for the next wanted read, ignoring others, and answers null when none comes in time', async () => {
    const sut = reads();
    const waiting = sut.read({ kinds: ['scan'], deviceId: 's2', maxAgeMs: 5_000, waitMs: 1_000 });
    sut.record(scan('s1', now));
    sut.record(scan('s2', now, 'this one'));
    await expect(waiting).resolves.toMatchObject({ deviceId: 's2', scan: { text: 'this one' } });
    await expect(sut.read({ kinds: ['ssse-card'], maxAgeMs: 5_000, waitMs: 20 })).resolves.toBeNull();
  });

  it('does not hand out a read dated after now (a desk clock ahead)', async () => {
    const sut = reads();
    sut.record(scan('s1', new Date(now.getTime() + 60_000)));
    await expect(sut.read({ kinds: [], maxAgeMs: 120_000, waitMs: 10 })).resolves.toBeNull();
  });
});

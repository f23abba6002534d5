import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { auditServiceOn } from '../../src/platform/standalone';
import { Clock } from '../../src/platform/clock';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { parseMsgid } from '../../src/upstream/protocol/msgid';
import { MsgidAllocator } from '../../src/upstream/outbox/msgid-allocator';
import { MsgidSequenceRepository } from '../../src/upstream/outbox/msgid-sequence.repository';
import { OutboxMessage } from '../../src/upstream/outbox/outbox-message.entity';
import { OutboxMessageRepository } from '../../src/upstream/outbox/outbox-message.repository';
import { OutboxService } from '../../src/upstream/outbox/outbox.service';
import { standaloneOutbox } from '../../src/upstream/outbox/standalone-outbox';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { testConfig } from '../support/test-config';

class FixedClock extends Clock {
  constructor(public t: Date) {
    super();
  }
  now(): Date {
    return new Date(this.t);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'gw-outbox-'));

const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k')));

const allocateMsgids = (m: EntityManager, fixmedinsCode: string, now: Date, count: number): Promise<string[]> =>
  new MsgidAllocator(new MsgidSequenceRepository(m.connection)).allocate(m, fixmedinsCode, now, count);
const claimDue = (
  ds: DataSource,
  instanceId: string,
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<OutboxMessage[]> => new OutboxMessageRepository(ds, pii).claimDue(instanceId, now, leaseUntil, limit);

describe.each(availableDatabases())('outbox on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let database: Awaited<ReturnType<typeof testDatabase>>['database'];
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));
  let outbox: OutboxService;

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    database = t.database;
    cleanup = t.cleanup;
    ds = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    const audit = auditServiceOn(ds, pii, clock);
    outbox = standaloneOutbox(ds, testConfig(), clock, audit, pii);
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('allocates msgids that never repeat, also from concurrent transactions, spilling into the next second past 9999', async () => {
    // PostgreSQL: a second pool, as a second gateway instance would have. SQLite: one process
    // owns the file, so the concurrency is that of transactions within it.
    const other = kind === 'postgres' ? await openDataSource(database, dataDir, GATEWAY_SCHEMA) : ds;
    try {
      const at = new Date('2026-11-25T02:00:00Z');
      const batches = await Promise.all([
        ...Array.from({ length: 4 }, () => ds.transaction((m) => allocateMsgids(m, 'H64010600001', at, 3000))),
        ...Array.from({ length: 2 }, () => other.transaction((m) => allocateMsgids(m, 'H64010600001', at, 500))),
      ]);
      const all = batches.flat();
      expect(all).toHaveLength(13000);
      expect(new Set(all).size).toBe(13000);
      const seconds = new Set(all.map((m) => parseMsgid(m)?.second));
      expect(seconds).toEqual(new Set(['20261125100000', '20261125100001']));
    } finally {
      if (other !== ds) {
        await other.destroy();
      }
    }
  });

  it('keeps the message and its business record in one transaction', async () => {
    await expect(
      ds.transaction(async (m) => {
        await outbox.enqueue(m, [{ infno: '2207', input: { n: 1 } }]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await ds.getRepository(OutboxMessage).count()).toBe(0);
  });

  it('claims due messages once, in order per subject, and takes back expired leases as unknown', async () => {
    const [settle, reverse, other] = await outbox.enqueueNow([
      { infno: '2207', input: { visit: 'A' }, subjectKey: 'visit:A' },
      { infno: '2601', input: { visit: 'A' }, subjectKey: 'visit:A' },
      { infno: '2207', input: { visit: 'B' }, subjectKey: 'visit:B' },
    ]);
    const lease = new Date(clock.now().getTime() + 30_000);
    const first = await claimDue(ds, 'i1', clock.now(), lease, 10);
    expect(first.map((m) => m.id)).toEqual([settle.id, other.id]); // the reversal waits for its settlement
    expect(await claimDue(ds, 'i2', clock.now(), lease, 10)).toEqual([]);

    // i1 dies; after the lease, another instance takes the rows over and must ask before resending.
    const later = new Date(lease.getTime() + 1);
    const taken = await claimDue(ds, 'i2', later, new Date(later.getTime() + 30_000), 10);
    expect(taken.map((m) => [m.id, m.claimedBy, m.queryFirst])).toEqual([
      [settle.id, 'i2', true],
      [other.id, 'i2', true],
    ]);

    await ds.getRepository(OutboxMessage).update({ id: settle.id }, { status: 'delivered', claimedBy: null });
    const next = await claimDue(ds, 'i2', later, new Date(later.getTime() + 30_000), 10);
    expect(next.map((m) => m.id)).toEqual([reverse.id]);
    expect(next[0].queryFirst).toBe(false);
  });

  it('cancels only pending messages, with an audited reason; reruns a rejected one under a new msgid', async () => {
    const [m] = await outbox.enqueueNow([{ infno: '3401', input: { month: '2026-10' } }]);
    const cancelled = await outbox.cancel(m.msgid, 'duplicate declaration', { type: 'cli', id: 'cli:it' });
    expect(cancelled.status).toBe('cancelled');
    await expect(outbox.cancel(m.msgid, 'again', { type: 'cli', id: 'cli:it' })).rejects.toMatchObject({
      code: 'OUTBOX_NOT_CANCELLABLE',
    });

    const [r] = await outbox.enqueueNow([{ infno: '3301', input: { x: 1 }, subjectKey: 'xp:1' }]);
    await ds.getRepository(OutboxMessage).update({ id: r.id }, { status: 'rejected', lastError: '字段缺失' });
    const copy = await outbox.rerun(r.id, { type: 'cli', id: 'cli:it' });
    expect(copy.msgid).not.toBe(r.msgid);
    expect(JSON.parse(copy.draft as string).input).toEqual({ x: 1 });
    const audit = await ds.query(`SELECT action FROM audit_log WHERE action LIKE 'outbox.%' ORDER BY id`);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['outbox.cancel', 'outbox.rerun']);
  });
});

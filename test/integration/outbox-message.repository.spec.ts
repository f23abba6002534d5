import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { uuidv7 } from '../../src/platform/ids';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { OutboxMessage } from '../../src/upstream/outbox/outbox-message.entity';
import { OutboxMessageRepository } from '../../src/upstream/outbox/outbox-message.repository';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-outbox-repo-'));
const T0 = new Date('2026-11-25T01:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
let seq = 0;

function message(fields: Partial<OutboxMessage> = {}): OutboxMessage {
  seq += 1;
  return {
    id: uuidv7(),
    msgid: `H64010600001202611250900${String(seq).padStart(6, '0')}`,
    infno: '3201',
    subjectKey: null,
    status: 'pending',
    draft: '{}',
    envelope: null,
    attempts: 0,
    nextAttemptAt: T0,
    claimedBy: null,
    leaseUntil: null,
    queryFirst: false,
    infcode: null,
    reply: null,
    lastError: null,
    createdAt: T0,
    updatedAt: T0,
    finishedAt: null,
    cancelReason: null,
    ...fields,
  };
}

/** The claim, settle and retention queries of the outbox, on each database. */
describe.each(availableDatabases())('OutboxMessageRepository on %s', (kind: DbKind) => {
  let ds: DataSource;
  let database: Awaited<ReturnType<typeof testDatabase>>['database'];
  let cleanup: () => Promise<void>;
  let repo: OutboxMessageRepository;

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    database = t.database;
    cleanup = t.cleanup;
    ds = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    repo = new OutboxMessageRepository(ds, new PiiCryptoService(decodeKeyring(generateKeyringDocument('k'))));
  });
  beforeEach(async () => {
    await ds.createQueryBuilder().delete().from(OutboxMessage).execute();
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  const add = (...messages: OutboxMessage[]): Promise<OutboxMessage[]> => ds.transaction((m) => repo.add(m, messages));
  const reload = async (id: string): Promise<OutboxMessage> => (await repo.findByIds([id]))[0];

  it('claims only due messages, oldest due first, up to the limit, under a lease', async () => {
    const [late, early, notYet, done] = await add(
      message({ nextAttemptAt: at(2) }),
      message({ nextAttemptAt: at(1) }),
      message({ nextAttemptAt: at(60_000) }),
      message({ status: 'delivered' }),
    );
    const lease = at(30_000);
    const first = await repo.claimDue('i1', at(10), lease, 1);
    expect(first.map((m) => m.id)).toEqual([early.id]);
    expect(first[0]).toMatchObject({ status: 'sending', claimedBy: 'i1', queryFirst: false });
    expect(first[0].leaseUntil?.getTime()).toBe(lease.getTime());
    expect((await repo.claimDue('i2', at(10), lease, 10)).map((m) => m.id)).toEqual([late.id]);
    expect(await repo.claimDue('i3', at(10), lease, 10)).toEqual([]);
    expect((await reload(notYet.id)).status).toBe('pending');
    expect((await reload(done.id)).status).toBe('delivered');
  });

  it('holds back a later message of the same subject while an earlier one is unfinished', async () => {
    const [settlement, reversal] = await add(
      message({ subjectKey: 'visit:A' }),
      message({ infno: '2601', subjectKey: 'visit:A' }),
    );
    expect((await repo.claimDue('i1', at(10), at(30_000), 10)).map((m) => m.id)).toEqual([settlement.id]);
    expect(
      await repo.settle(ds.manager, settlement.id, 'i1', { status: 'delivered', claimedBy: null, leaseUntil: null }),
    ).toBe(true);
    expect((await repo.claimDue('i1', at(20), at(30_000), 10)).map((m) => m.id)).toEqual([reversal.id]);
  });

  it('takes back an expired lease, and an unknown message, as query-first', async () => {
    const [orphan, unknown] = await add(message(), message({ status: 'unknown' }));
    await repo.claimDue('dead', at(10), at(1000), 1);
    expect(await repo.claimDue('i2', at(500), at(30_000), 10)).toEqual([
      expect.objectContaining({ id: unknown.id, queryFirst: true }),
    ]);
    const taken = await repo.claimDue('i2', at(1001), at(30_000), 10);
    expect(taken.map((m) => [m.id, m.claimedBy, m.queryFirst])).toEqual([[orphan.id, 'i2', true]]);
  });

  it('settles and reschedules only under the claim, and a settlement happens once', async () => {
    const [m] = await add(message());
    await repo.claimDue('i1', at(10), at(30_000), 10);
    expect(await repo.settle(ds.manager, m.id, 'other', { status: 'delivered' })).toBe(false);
    await repo.reschedule(m.id, 'other', { status: 'pending', claimedBy: null });
    expect((await reload(m.id)).status).toBe('sending');
    expect(
      await ds.transaction((tx) =>
        repo.settle(tx, m.id, 'i1', { status: 'delivered', claimedBy: null, finishedAt: at(20) }),
      ),
    ).toBe(true);
    expect(await repo.settle(ds.manager, m.id, 'i1', { status: 'rejected' })).toBe(false);
    expect((await reload(m.id)).status).toBe('delivered');
  });

  it('cancels only a pending message', async () => {
    const [pending, sending] = await add(message(), message({ status: 'sending', claimedBy: 'i1' }));
    expect(await ds.transaction((tx) => repo.cancelPending(tx, pending.id, 'dup', at(5)))).toBe(true);
    expect(await ds.transaction((tx) => repo.cancelPending(tx, sending.id, 'dup', at(5)))).toBe(false);
    expect(await repo.countByStatus()).toMatchObject({ cancelled: 1, sending: 1, pending: 0 });
  });

  it('prunes the bodies of messages delivered before the cutoff only, never those of the infnos kept', async () => {
    const [old, recent, settlement] = await add(
      message({ status: 'delivered', finishedAt: at(1000), envelope: '{"e":1}', reply: '{}' }),
      message({ status: 'delivered', finishedAt: at(90_000), envelope: '{"e":2}' }),
      message({ infno: '2207', status: 'delivered', finishedAt: at(1000), envelope: '{"e":3}', reply: '{"r":3}' }),
    );
    expect(await repo.pruneDeliveredBodies(at(60_000), ['2207', '2208'])).toBe(1);
    expect(await reload(old.id)).toMatchObject({ draft: null, envelope: null, reply: null, msgid: old.msgid });
    expect((await reload(recent.id)).envelope).toBe('{"e":2}');
    expect(await reload(settlement.id)).toMatchObject({ envelope: '{"e":3}', reply: '{"r":3}' });
    expect(await repo.pruneDeliveredBodies(at(60_000), ['2207', '2208'])).toBe(0);
    expect(await repo.pruneDeliveredBodies(at(60_000), [])).toBe(1);
  });

  it('releases orphans left in "sending" at start on SQLite only (on PostgreSQL the lease decides)', async () => {
    const [m] = await add(message({ status: 'sending', claimedBy: 'crashed', leaseUntil: at(60_000) }));
    const released = await repo.releaseOrphans(at(10));
    if (kind === 'sqlite') {
      expect(released).toBe(1);
      expect(await reload(m.id)).toMatchObject({ status: 'unknown', queryFirst: true, claimedBy: null });
    } else {
      expect(released).toBe(0);
      expect((await reload(m.id)).status).toBe('sending');
    }
  });

  if (kind === 'postgres') {
    it('skips rows another instance holds locked instead of waiting for them (FOR UPDATE SKIP LOCKED)', async () => {
      const [locked, free] = await add(message({ nextAttemptAt: at(1) }), message({ nextAttemptAt: at(2) }));
      const other = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
      const runner = other.createQueryRunner();
      try {
        await runner.startTransaction();
        await runner.query('SELECT id FROM outbox_message WHERE id = $1 FOR UPDATE', [locked.id]);
        const claimed = await repo.claimDue('i1', at(10), at(30_000), 10);
        expect(claimed.map((m) => m.id)).toEqual([free.id]);
        await runner.rollbackTransaction();
        expect((await repo.claimDue('i2', at(10), at(30_000), 10)).map((m) => m.id)).toEqual([locked.id]);
      } finally {
        await runner.release();
        await other.destroy();
      }
    });
  }
});

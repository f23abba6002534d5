import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ClusterMessageRepository } from '../../src/platform/cluster/cluster-message.repository';
import { clusterChannel } from '../../src/platform/cluster/cluster-names';
import {
  ClusterBus,
  ClusterLocks,
  databaseSchema,
  decodeKeyring,
  generateKeyringDocument,
  JobScheduleRepository,
  openDataSource,
  PgListener,
  PiiCryptoService,
  PLATFORM_FEATURE,
  runMigrations,
  StaffUserRepository,
  Transactions,
} from '../../src/platform';
import { OutcomeNotifier } from '../../src/settlement/outcome-notifier.service';
import { availableDatabases, type DbKind, postgresUrl, testDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { TcpProxy } from '../support/tcp-proxy';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-it-cluster-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const at = (s: number): Date => new Date(Date.UTC(2026, 11, 3, 8, 0, s));

describe.each(availableDatabases())('job schedule slots and the staff lockout count on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let schedule: JobScheduleRepository;

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, databaseSchema([PLATFORM_FEATURE]));
    await runMigrations(ds);
    schedule = new JobScheduleRepository(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('gives each slot to exactly one claimant, however many ask at once', async () => {
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((holder) => schedule.claim('test.race', 100, holder, at(0), at(0))),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // An old slot, or the same one again, is never claimed twice.
    expect(await schedule.claim('test.race', 100, 'a', at(1), at(1))).toBe(false);
    expect(await schedule.claim('test.race', 99, 'a', at(1), at(1))).toBe(false);
    expect(await schedule.claim('test.race', 101, 'b', at(1), at(1))).toBe(true);
    // Jobs are counted apart.
    expect(await schedule.claim('test.other', 100, 'a', at(1), at(1))).toBe(true);
  });

  it('keeps the next slot while a run’s lease holds, until it is released or runs out', async () => {
    expect(await schedule.claim('test.lease', 1, 'a', at(0), at(30))).toBe(true);
    expect(await schedule.claim('test.lease', 2, 'b', at(10), at(40))).toBe(false);
    await schedule.release('test.lease', 'b'); // not b's run: changes nothing
    expect(await schedule.claim('test.lease', 2, 'b', at(11), at(41))).toBe(false);
    await schedule.release('test.lease', 'a');
    expect(await schedule.claim('test.lease', 2, 'b', at(12), at(42))).toBe(true);
    // b never releases (it crashed): its lease runs out at 42 s.
    expect(await schedule.claim('test.lease', 3, 'a', at(41), at(60))).toBe(false);
    expect(await schedule.claim('test.lease', 3, 'a', at(42), at(60))).toBe(true);
  });
  it('counts wrong passwords of several attempts at once, and none while the account is locked', async () => {
    const users = new StaffUserRepository(ds);
    const transactions = new Transactions(ds);
    const id = `st-${kind}`;
    await users.insert({
      id,
      login: `wf-${kind}`,
      displayName: '王芳',
      roles: ['desk'],
      desks: [],
      passwordHash: 'x',
      passwordChangedAt: at(0),
      passwordMustChange: false,
      state: 'active',
      failedAttempts: 0,
      lockedUntil: null,
      lastLoginAt: null,
      disabledReason: null,
      createdAt: at(0),
      createdBy: 'test',
      updatedAt: at(0),
    });
    const counts = await Promise.all(
      Array.from({ length: 5 }, () => transactions.run((m) => users.countFailure(id, at(1), m))),
    );
    expect([...counts].sort()).toEqual([1, 2, 3, 4, 5]);
    await transactions.run((m) => users.lock(id, at(60), at(2), m));
    expect(await transactions.run((m) => users.countFailure(id, at(30), m))).toBeNull();
    expect((await users.findById(id))?.failedAttempts).toBe(0);
    // The lock has run out: counting starts again.
    expect(await transactions.run((m) => users.countFailure(id, at(60), m))).toBe(1);
  });
});

const pg = postgresUrl();

(pg ? describe : describe.skip)('several instances on PostgreSQL', () => {
  let cleanup: () => Promise<void>;
  const sources: DataSource[] = [];
  let schema: string;

  beforeAll(async () => {
    const t = await testDatabase('postgres', dataDir);
    cleanup = t.cleanup;
    schema = t.database.schema;
    // Two instances: two DataSources (two pools) on one schema.
    for (let i = 0; i < 2; i++) {
      const ds = await openDataSource(t.database, dataDir, databaseSchema([PLATFORM_FEATURE]));
      await runMigrations(ds);
      sources.push(ds);
    }
    await sources[0].query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await sources[0].query('INSERT INTO counter VALUES (1, 0)');
  });
  afterAll(async () => {
    for (const ds of sources) {
      await ds.destroy();
    }
    await cleanup?.();
  });

  it('ClusterLocks: a read-modify-write under the lock loses no change across instances; nested locks share a connection', async () => {
    const locks = sources.map((ds) => new ClusterLocks(ds));
    try {
      const bump = async (i: number): Promise<void> => {
        const ds = sources[i];
        const [{ n }] = await ds.query<Array<{ n: number }>>('SELECT n FROM counter WHERE id = 1');
        await new Promise((r) => setTimeout(r, 5));
        await ds.query('UPDATE counter SET n = $1 WHERE id = 1', [n + 1]);
      };
      // Each change takes the desk's lock, then the session's (as identity does), from either instance.
      await Promise.all(
        Array.from({ length: 12 }, (_, k) =>
          locks[k % 2].run('desk:D1', () => locks[k % 2].run('session:S1', () => bump(k % 2))),
        ),
      );
      const [{ n }] = await sources[0].query<Array<{ n: number }>>('SELECT n FROM counter WHERE id = 1');
      expect(n).toBe(12);
      // Locks are per key: another key is not held up by a held one.
      let release!: () => void;
      const held = locks[0].run('session:S2', () => new Promise<void>((r) => (release = r)));
      await eventually(async () => (await advisoryLocks()) >= 1, 'the lock on S2 held');
      await expect(locks[1].run('session:S3', async () => 'free')).resolves.toBe('free');
      release();
      await held;
      await eventually(async () => (await advisoryLocks()) === 0, 'every lock released');
    } finally {
      await Promise.all(locks.map((l) => l.onApplicationShutdown()));
    }
  });

  async function advisoryLocks(): Promise<number> {
    const [{ count }] = await sources[0].query<Array<{ count: string }>>(
      "SELECT count(*) AS count FROM pg_locks WHERE locktype = 'advisory' AND granted",
    );
    return Number(count);
  }

  it('ClusterBus: a message reaches the other instance once, sealed on the wire; large ones go through the table', async () => {
    const keyring = decodeKeyring(generateKeyringDocument('k-bus'));
    const buses = sources.map(
      (ds) => new ClusterBus(ds, new PiiCryptoService(keyring), new ClusterMessageRepository(ds)),
    );
    const raw = new Client({ connectionString: pg });
    const wire: string[] = [];
    try {
      await Promise.all(buses.map((b) => b.onModuleInit()));
      await raw.connect();
      raw.on('notification', (n) => wire.push(n.payload ?? ''));
      await raw.query(`LISTEN "${clusterChannel(schema)}"`);
      const got: unknown[][] = [[], []];
      buses.forEach((b, i) => b.subscribe('test', (body) => got[i].push(body)));
      const secret = '640106199001011234';
      buses[0].publish('test', { n: 1, idNumber: secret });
      const big = { n: 2, blob: 'x'.repeat(9_000) };
      buses[0].publish('test', big);
      buses[0].publish('test', { n: 3 });
      await buses[0].flush();
      await eventually(() => got[1].length === 3, 'three messages at the other instance');
      expect(got[1].map((m) => (m as { n: number }).n)).toEqual([1, 2, 3]);
      expect(got[1][0]).toEqual({ n: 1, idNumber: secret });
      expect((got[1][1] as typeof big).blob === big.blob).toBe(true);
      // Never echoed to the sender (it delivers its own events itself).
      await eventually(() => wire.length === 3, 'three notifications');
      expect(got[0]).toEqual([]);
      expect(wire.join('')).not.toContain(secret);
      expect(wire.every((w) => Buffer.byteLength(w) < 8000)).toBe(true);
      const [{ count }] = await sources[0].query<Array<{ count: string }>>(
        'SELECT count(*) AS count FROM cluster_message',
      );
      expect(Number(count)).toBe(1);
    } finally {
      await raw.end();
      await Promise.all(buses.map((b) => b.onApplicationShutdown()));
    }
  });

  it('OutcomeNotifier: a settle request waiting on one instance wakes when another records the outcome', async () => {
    const keyring = decodeKeyring(generateKeyringDocument('k-outcome'));
    const buses = sources.map(
      (ds) => new ClusterBus(ds, new PiiCryptoService(keyring), new ClusterMessageRepository(ds)),
    );
    const notifiers = buses.map((b) => new OutcomeNotifier(b));
    try {
      await Promise.all(buses.map((b) => b.onModuleInit()));
      notifiers.forEach((n) => n.onModuleInit());
      // The waiter is on instance B; instance A's dispatcher recorded the outcome.
      const woken = notifiers[1].wait('S-1', 10_000);
      const other = notifiers[1].wait('S-2', 300);
      notifiers[0].notify('S-1');
      expect(await woken).toBe(true);
      expect(await other).toBe(false);
    } finally {
      notifiers.forEach((n) => n.onApplicationShutdown());
      await Promise.all(buses.map((b) => b.onApplicationShutdown()));
    }
  });

  it('PgListener: reconnects by itself after the connection is lost, with backoff, and hears again', async () => {
    const port = Number(new URL(pg as string).port || 5432);
    const proxy = new TcpProxy(port);
    await proxy.start();
    const viaProxy = new URL(pg as string);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const heard: string[] = [];
    const states: string[] = [];
    const listener = new PgListener({
      connectionString: viaProxy.toString(),
      channel: `gw_it_${schema}`,
      onNotification: (p) => heard.push(p),
      onState: (s) => states.push(`${s.state}:${s.attempts}`),
      initialBackoffMs: 20,
      maxBackoffMs: 200,
    });
    const notify = (text: string) => sources[0].query('SELECT pg_notify($1, $2)', [`gw_it_${schema}`, text]);
    try {
      await listener.start();
      expect(listener.status.state).toBe('listening');
      await notify('one');
      await eventually(() => heard.includes('one'), 'the first notification');

      await proxy.cut(); // PostgreSQL gone: the connection dies, new ones are refused
      await eventually(() => listener.status.state === 'reconnecting', 'the listener noticing');
      await eventually(() => listener.status.attempts >= 3, 'several attempts while PostgreSQL is away');
      expect(listener.status.lastError).toBeTruthy();
      await proxy.restore();
      await eventually(() => listener.status.state === 'listening', 'the listener back', 10_000);
      expect(listener.status.attempts).toBe(0);
      await notify('two');
      await eventually(() => heard.includes('two'), 'a notification after the reconnect');
      expect(states[0]).toBe('listening:0');
      expect(states).toContain('reconnecting:1');
      expect(states[states.length - 1]).toBe('listening:0');
    } finally {
      await listener.stop();
      await proxy.stop();
    }
  });
});

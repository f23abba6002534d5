import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../../src/platform/audit/audit.service';
import { auditServiceOn } from '../../src/platform/standalone';
import { SystemClock } from '../../src/platform/clock';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { UpstreamClient } from '../../src/upstream/client/upstream-client';
import { LinkMonitor } from '../../src/upstream/link-monitor';
import { Dispatcher } from '../../src/upstream/outbox/dispatcher';
import { OutboxMessage } from '../../src/upstream/outbox/outbox-message.entity';
import { OutboxService } from '../../src/upstream/outbox/outbox.service';
import { standaloneOutbox } from '../../src/upstream/outbox/standalone-outbox';
import { DOCUMENTED_PROFILE, mappingProfile, ProtocolProfile } from '../../src/upstream/protocol/profile';
import { generateSm2Keys } from '../../src/upstream/protocol/sm2-signer';
import { GatewaySigningKey } from '../../src/upstream/signing-keys';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { openDispatcherWorld, type DispatcherWorld } from '../support/dispatcher-world';
import { PinnedClock } from '../support/pinned-clock';
import { testConfig } from '../support/test-config';
import { eventually } from '../support/eventually';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-dispatch-'));
const gatewayKey: GatewaySigningKey = { id: 'gw-test-1', ...generateSm2Keys() };

/** A 3201 reconciliation query: valid for any period, needs no seeded state. */
const reconciliation = (n: number) => ({ infno: '3201', input: { begndate: '2026-10-01', enddate: '2026-10-31', n } });

const until = (check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> =>
  eventually(check, 'the condition', timeoutMs, 50);

describe.each(availableDatabases())('dispatcher on %s against the sandbox insurer', (kind: DbKind) => {
  let ds: DataSource;
  let world: DispatcherWorld | undefined;
  let sandbox: SandboxInsurer;
  let config: GatewayConfig;
  let outbox: OutboxService;
  let audit: AuditService;
  let pii: PiiCryptoService;
  const clock = new SystemClock();

  beforeAll(async () => {
    world = await openDispatcherWorld(kind, dataDir, gatewayKey, clock, {
      defaultTimeoutMs: 1500,
      dispatcher: { concurrency: 4, pollIntervalMs: 20, leaseMs: 5000, backoffBaseMs: 50, backoffMaxMs: 400 },
      emergency: { afterMs: 300, probeIntervalMs: 200 },
    });
    ({ ds, sandbox, config, outbox, audit, pii } = world);
  });
  afterAll(async () => {
    await world?.close();
  });
  afterEach(async () => {
    await sandbox.faults.reset();
  });

  const newMonitor = () =>
    new LinkMonitor(clock, {
      emergencyAfterMs: config.upstream.emergency.afterMs,
      probeIntervalMs: config.upstream.emergency.probeIntervalMs,
    });
  const dispatcher = (insurerPublicKey = sandbox.publicKey, monitor?: LinkMonitor) =>
    new Dispatcher({
      dataSource: ds,
      outbox,
      client: new UpstreamClient(config.upstream, insurerPublicKey),
      key: gatewayKey,
      audit,
      clock,
      config: config.upstream.dispatcher,
      profile: DOCUMENTED_PROFILE,
      monitor: monitor ?? newMonitor(),
      pii,
    });
  const statuses = async (ids: string[]) => (await outbox.findByIds(ids)).map((m) => m.status);
  const allFinal = (ids: string[]) => async () =>
    (await statuses(ids)).every((s) => s === 'delivered' || s === 'rejected');

  it('delivers every message once, keeping the verified reply', async () => {
    const before = sandbox.stats();
    const messages = await outbox.enqueueNow(Array.from({ length: 12 }, (_, i) => reconciliation(i)));
    const d = dispatcher();
    d.start();
    try {
      await until(allFinal(messages.map((m) => m.id)));
    } finally {
      await d.stop();
    }
    const done = await outbox.findByIds(messages.map((m) => m.id));
    expect(done.map((m) => m.status)).toEqual(Array(12).fill('delivered'));
    expect(done.every((m) => m.infcode === 0 && JSON.parse(m.reply as string).inf_refmsgid === m.msgid)).toBe(true);
    const after = sandbox.stats();
    expect((after.byInfno['3201'] ?? 0) - (before.byInfno['3201'] ?? 0)).toBe(12);
    expect(after.duplicates - before.duplicates).toBe(0);
    // It signed in first (9001), and the envelopes carry the sign_no it got.
    expect(outbox.signNo).not.toBe('');
    expect(done.every((m) => JSON.parse(m.envelope as string).sign_no === outbox.signNo)).toBe(true);
  });

  it('keeps a business rejection final, with the insurer reason', async () => {
    const [m] = await outbox.enqueueNow([
      { infno: '2601', input: { omsgid: 'H64010600001202611250000000001', oinfno: '2207' } },
    ]);
    const d = dispatcher();
    d.start();
    try {
      await until(allFinal([m.id]));
    } finally {
      await d.stop();
    }
    const [done] = await outbox.findByIds([m.id]);
    expect(done.status).toBe('rejected');
    expect(done.lastError).toMatch(/[\u4e00-\u9fff]/);
    expect(done.attempts).toBe(0);
  });

  it('after "commit then drop the reply" asks by msgid instead of resending: no duplicate at the insurer', async () => {
    await sandbox.faults.set({ commitThenDrop: 1 });
    const before = sandbox.stats();
    const [m] = await outbox.enqueueNow([reconciliation(100)]);
    const d = dispatcher();
    d.start();
    try {
      await until(async () => (await outbox.get(m.id)).attempts.length >= 1);
      await sandbox.faults.reset(); // the query (and anything else) gets through now
      await until(allFinal([m.id]));
    } finally {
      await d.stop();
    }
    const { message, attempts } = await outbox.get(m.id);
    expect(message.status).toBe('delivered');
    // One send whose reply was lost, then only queries (a slow machine may see a query's reply
    // dropped too, before the fault is lifted) until one learns the outcome: never a second send.
    const steps = attempts.map((a) => [a.kind, a.outcome]);
    expect(steps[0]).toEqual(['send', 'unknown']);
    expect(steps.slice(1).every(([kind]) => kind === 'query')).toBe(true);
    expect(steps[steps.length - 1]).toEqual(['query', 'delivered']);
    const after = sandbox.stats();
    expect(sandbox.message(m.msgid)?.timesReceived).toBe(1);
    expect(after.duplicates - before.duplicates).toBe(0);
  });

  it('rejects and records a reply whose signature does not verify, and never settles on it', async () => {
    const [m] = await outbox.enqueueNow([reconciliation(200)]);
    const d = dispatcher(generateSm2Keys().publicKey); // as if the reply had been tampered with
    d.start();
    try {
      await until(async () => (await outbox.get(m.id)).attempts.length >= 2);
    } finally {
      await d.stop();
    }
    const { message, attempts } = await outbox.get(m.id);
    expect(message.status).toBe('unknown');
    expect(attempts[0]).toMatchObject({ kind: 'send', outcome: 'bad-signature' });
    expect(attempts[1]).toMatchObject({ kind: 'query' });
    const recorded = await audit.find({ action: 'upstream.reply.bad-signature', limit: 10 });
    expect(recorded.some((e) => e.details?.msgid === m.msgid)).toBe(true);

    // With the right key the next dispatcher settles it from the query, without a resend.
    const good = dispatcher();
    good.start();
    try {
      await until(allFinal([m.id]));
    } finally {
      await good.stop();
    }
    expect(sandbox.message(m.msgid)?.timesReceived).toBe(1);
  });

  it('while the insurer is down: nothing is lost, and the backlog drains in order when it returns', async () => {
    await sandbox.faults.set({ down: true });
    const messages = await outbox.enqueueNow(
      Array.from({ length: 6 }, (_, i) => ({ ...reconciliation(300 + i), subjectKey: 'backlog' })),
    );
    const d = dispatcher();
    d.start();
    try {
      await until(async () => (await outbox.get(messages[0].id)).attempts.length >= 2);
      expect(await statuses(messages.map((m) => m.id))).toEqual(Array(6).fill('pending'));
      const [first] = (await outbox.get(messages[0].id)).attempts;
      expect(first.outcome).toBe('not-sent');
      await sandbox.faults.set({ down: false });
      await until(allFinal(messages.map((m) => m.id)));
    } finally {
      await d.stop();
    }
    const done = await ds
      .getRepository(OutboxMessage)
      .find({ where: { subjectKey: 'backlog' }, order: { finishedAt: 'ASC', id: 'ASC' } });
    expect(done.map((m) => m.id)).toEqual(messages.map((m) => m.id));
    expect(done.every((m) => m.status === 'delivered')).toBe(true);
  });

  it('enters emergency mode when the insurer stays unreachable, probes sparingly, and leaves it when the link returns; nothing is lost', async () => {
    await sandbox.faults.set({ down: true });
    // The link monitor keeps its own time here, moved only by the test: how many probes it lets
    // through depends on how far the test moves it, not on how fast this machine runs.
    const linkClock = new PinnedClock(new Date());
    const { afterMs, probeIntervalMs } = config.upstream.emergency;
    const monitor = new LinkMonitor(linkClock, { emergencyAfterMs: afterMs, probeIntervalMs });
    const changes: string[] = [];
    const allowance = jest.spyOn(monitor, 'allowance');
    let emergencyFrom = 0; // the allowance asked for before emergency mode began
    monitor.on('mode', (c) => {
      changes.push(c.mode);
      emergencyFrom = allowance.mock.calls.length;
    });
    // Probes: the messages emergency mode let through; polls: how often the dispatcher asked.
    const probes = () => allowance.mock.results.slice(emergencyFrom).filter((r) => (r.value as number) > 0).length;
    const polls = () => allowance.mock.calls.length;
    const afterPolls = async (n: number) => {
      const from = polls();
      await until(async () => polls() >= from + n);
    };
    const messages = await outbox.enqueueNow(
      Array.from({ length: 8 }, (_, i) => ({ ...reconciliation(400 + i), subjectKey: 'emergency' })),
    );
    const ids = messages.map((m) => m.id);
    const attemptCount = async () =>
      Number(
        (
          await ds.query<{ n: string | number }[]>(
            `SELECT COUNT(*) AS n FROM outbox_attempt WHERE message_id IN (${ids.map((id) => `'${id}'`).join(',')})`,
          )
        )[0].n,
      );
    const d = dispatcher(undefined, monitor);
    d.start();
    try {
      await until(async () => monitor.unreachableSince !== null);
      expect(monitor.mode).toBe('normal');
      linkClock.advance(afterMs); // unreachable for emergencyAfterMs: the next failure switches
      await until(async () => monitor.mode === 'emergency');
      expect(changes).toEqual(['emergency']);
      // In emergency mode: one probe per probeIntervalMs, not a retry storm. The link's time stands
      // still, so after the first probe none follows, however often the dispatcher asks.
      await until(async () => probes() === 1);
      await until(async () => (await statuses(ids)).every((s) => s === 'pending')); // nothing in flight
      const settled = await attemptCount();
      await afterPolls(10);
      expect(probes()).toBe(1);
      expect(await attemptCount()).toBe(settled);
      // Once probeIntervalMs has passed, one more probe, and again only one.
      linkClock.advance(probeIntervalMs);
      await until(async () => probes() === 2);
      await afterPolls(10);
      expect(probes()).toBe(2);
      // Nothing settles while the insurer is away; a probe may be in flight at this very moment
      // (one message `sending`), never more than one.
      const now = await statuses(ids);
      expect(now.filter((s) => s !== 'pending' && s !== 'sending')).toEqual([]);
      expect(now.filter((s) => s === 'sending').length).toBeLessThanOrEqual(1);

      await sandbox.faults.set({ down: false });
      linkClock.advance(probeIntervalMs); // the next probe reaches the insurer and ends emergency mode
      await until(allFinal(ids));
      expect(changes).toEqual(['emergency', 'normal']);
    } finally {
      await d.stop();
    }
    const done = await ds
      .getRepository(OutboxMessage)
      .find({ where: { subjectKey: 'emergency' }, order: { finishedAt: 'ASC', id: 'ASC' } });
    expect(done.map((m) => [m.id, m.status])).toEqual(ids.map((id) => [id, 'delivered']));
    for (const m of messages) {
      expect(sandbox.message(m.msgid)?.timesReceived).toBe(1);
    }
  });

  it('prunes the bodies of old delivered messages and keeps their metadata', async () => {
    const [m] = await outbox.enqueueNow([reconciliation(500)]);
    const long = new Date(Date.now() - 100 * 86_400_000);
    await ds
      .getRepository(OutboxMessage)
      .update({ id: m.id }, { status: 'delivered', finishedAt: long, envelope: '{}', reply: '{}' });
    const [recent] = await outbox.enqueueNow([reconciliation(501)]);
    await ds
      .getRepository(OutboxMessage)
      .update({ id: recent.id }, { status: 'delivered', finishedAt: new Date(), envelope: '{}', reply: '{}' });
    expect((await outbox.prune(90)).bodiesPruned).toBe(1);
    const [old, fresh] = await Promise.all([outbox.get(m.id), outbox.get(recent.id)]);
    expect(old.message).toMatchObject({
      msgid: m.msgid,
      status: 'delivered',
      draft: null,
      envelope: null,
      reply: null,
    });
    expect(fresh.message.envelope).toBe('{}');
    expect((await outbox.prune(90)).bodiesPruned).toBe(0);
  });

  it('never prunes the bodies of business records (a settlement, a cancellation), however old', async () => {
    const long = new Date(Date.now() - 1000 * 86_400_000);
    const ids: string[] = [];
    for (const infno of ['2207', '2305']) {
      const [m] = await outbox.enqueueNow([{ ...reconciliation(600), infno }]);
      await ds
        .getRepository(OutboxMessage)
        .update({ id: m.id }, { status: 'delivered', finishedAt: long, envelope: '{"kept":1}', reply: '{}' });
      ids.push(m.id);
    }
    await outbox.prune(90);
    for (const id of ids) {
      expect((await outbox.get(id)).message).toMatchObject({ envelope: '{"kept":1}', reply: '{}' });
    }
  });
});

/** A fresh SQLite database, sandbox insurer and outbox, for tests that need a world of their own. */
async function isolatedWorld(
  overrides: Record<string, unknown>,
  test: (w: {
    ds: DataSource;
    sandbox: SandboxInsurer;
    outbox: OutboxService;
    dispatcher: (profile?: ProtocolProfile) => Dispatcher;
  }) => Promise<void>,
): Promise<void> {
  const { database } = await testDatabase('sqlite', dataDir);
  const ds = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
  const sandbox = new SandboxInsurer({ gatewayKeys: { [gatewayKey.id]: gatewayKey.publicKey } });
  try {
    await runMigrations(ds);
    const url = await sandbox.start();
    const clock = new SystemClock();
    const config = testConfig({ upstream: { baseUrl: url, dispatcher: { pollIntervalMs: 20, ...overrides } } });
    const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k')));
    const audit = auditServiceOn(ds, pii, clock);
    const outbox = standaloneOutbox(ds, config, clock, audit, pii);
    const monitor = new LinkMonitor(clock, { emergencyAfterMs: 60_000, probeIntervalMs: 1000 });
    const dispatcher = (profile: ProtocolProfile = DOCUMENTED_PROFILE) =>
      new Dispatcher({
        dataSource: ds,
        outbox,
        client: new UpstreamClient(config.upstream, sandbox.publicKey),
        key: gatewayKey,
        audit,
        clock,
        config: config.upstream.dispatcher,
        monitor,
        profile,
        pii,
      });
    await test({ ds, sandbox, outbox, dispatcher });
  } finally {
    await sandbox.stop();
    await ds.destroy();
  }
}

async function runUntil(d: Dispatcher, done: () => Promise<boolean>): Promise<void> {
  d.start();
  try {
    await until(done, 10_000);
  } finally {
    await d.stop();
  }
}

describe('dispatcher with a protocol profile', () => {
  it('signs and sends the wire form the profile describes, keeping our own names in the outbox', async () => {
    await isolatedWorld({}, async ({ outbox, dispatcher }) => {
      // The sandbox speaks the documented codes, so map the code to itself and rename one field.
      const profile = mappingProfile({
        name: 'test',
        infno: { '3201': '3201' },
        fields: { '3201': { n: 'client_ref' } },
      });
      const [m] = await outbox.enqueueNow([reconciliation(7)]);
      await runUntil(dispatcher(profile), async () => (await outbox.get(m.id)).message.status === 'delivered');
      const { message } = await outbox.get(m.id);
      expect(JSON.parse(message.draft as string).input).toEqual({
        begndate: '2026-10-01',
        enddate: '2026-10-31',
        n: 7,
      });
      expect(JSON.parse(message.envelope as string).input).toEqual({
        begndate: '2026-10-01',
        enddate: '2026-10-31',
        client_ref: 7,
      });
    });
  });
});

describe('dispatcher woken by a commit', () => {
  it('sends a message committed while it idles at once, not at its next poll', async () => {
    // A poll interval far longer than the test may take: only the nudge can get the message out.
    await isolatedWorld({ pollIntervalMs: 600_000 }, async ({ outbox, dispatcher }) => {
      const d = dispatcher();
      d.start();
      try {
        await new Promise((r) => setTimeout(r, 200)); // the first poll found nothing; it now sleeps
        const [m] = await outbox.enqueueNow([reconciliation(9)]);
        await until(async () => (await outbox.get(m.id)).message.status === 'delivered', 10_000);
      } finally {
        await d.stop();
      }
    });
  });
});

describe('dispatcher start-up on SQLite', () => {
  it('takes back rows a crashed run left in "sending" at once, and asks the insurer before resending', async () => {
    await isolatedWorld({ leaseMs: 600_000 }, async ({ ds, outbox, dispatcher }) => {
      const [m] = await outbox.enqueueNow([reconciliation(1)]);
      // As a killed process leaves it: claimed, with a lease far in the future.
      await ds
        .getRepository(OutboxMessage)
        .update({ id: m.id }, { status: 'sending', claimedBy: 'dead:1', leaseUntil: new Date(Date.now() + 600_000) });
      await runUntil(dispatcher(), async () => (await outbox.get(m.id)).message.status === 'delivered');
      const { attempts } = await outbox.get(m.id);
      expect(attempts.map((a) => [a.kind, a.outcome])).toEqual([
        ['query', 'not-received'],
        ['send', 'delivered'],
      ]);
    });
  });
});

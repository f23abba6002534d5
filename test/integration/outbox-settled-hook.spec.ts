import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../src/platform/audit/audit.service';
import { AuditEntry } from '../../src/platform/audit/audit-entry.entity';
import { SystemClock } from '../../src/platform/clock';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import type { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { UpstreamClient } from '../../src/upstream/client/upstream-client';
import { LinkMonitor } from '../../src/upstream/link-monitor';
import { Dispatcher } from '../../src/upstream/outbox/dispatcher';
import type { OutboxMessage } from '../../src/upstream/outbox/outbox-message.entity';
import { OutboxService, type SettledOutcome } from '../../src/upstream/outbox/outbox.service';
import { DOCUMENTED_PROFILE } from '../../src/upstream/protocol/profile';
import { generateSm2Keys } from '../../src/upstream/protocol/sm2-signer';
import { GatewaySigningKey } from '../../src/upstream/signing-keys';
import { availableDatabases, DbKind } from '../support/databases';
import { eventually } from '../support/eventually';
import { openDispatcherWorld, type DispatcherWorld } from '../support/dispatcher-world';

jest.setTimeout(60_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-settled-'));
const gatewayKey: GatewaySigningKey = { id: 'gw-hook-1', ...generateSm2Keys() };
const until = (check: () => Promise<boolean>, what: string): Promise<void> => eventually(check, what, 30_000, 20);

/**
 * The outbox completion hook (OutboxService.onSettled): a capability learns that its message was
 * delivered or rejected, in the transaction that settles it, exactly once — with two dispatchers
 * at once, and again after a handler failure rolled the settlement back.
 */
describe.each(availableDatabases())('outbox completion hook on %s', (kind: DbKind) => {
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
      // A short lease: a settlement rolled back by a failing handler is taken up again soon.
      dispatcher: { concurrency: 4, pollIntervalMs: 20, leaseMs: 1000, backoffBaseMs: 50, backoffMaxMs: 200 },
      emergency: { afterMs: 300, probeIntervalMs: 100 },
    });
    ({ ds, sandbox, config, outbox, audit, pii } = world);
  });
  afterAll(async () => {
    await world?.close();
  });

  const dispatcher = () =>
    new Dispatcher({
      dataSource: ds,
      outbox,
      client: new UpstreamClient(config.upstream, sandbox.publicKey),
      key: gatewayKey,
      audit,
      clock,
      config: config.upstream.dispatcher,
      profile: DOCUMENTED_PROFILE,
      monitor: new LinkMonitor(clock, { emergencyAfterMs: 300, probeIntervalMs: 100 }),
      pii,
    });
  const settled = async (ids: string[]) =>
    (await outbox.findByIds(ids)).every((m) => m.status === 'delivered' || m.status === 'rejected');
  /** Rows the handler wrote with the dispatcher's manager: they exist only if that transaction committed. */
  const hookRows = async (action: string) =>
    (await ds.getRepository(AuditEntry).findBy({ action })).map(
      (a) => a.details as { msgid: string; status: string; errMsg: string | null; infcode: number },
    );

  it('runs once per message, with the decoded output or the insurer reason, even with two dispatchers claiming side by side', async () => {
    const calls: Array<{ msgid: string; outcome: SettledOutcome }> = [];
    const off = outbox.onSettled(
      '3201',
      async (manager: EntityManager, message: OutboxMessage, outcome: SettledOutcome) => {
        calls.push({ msgid: message.msgid, outcome });
        expect(message.status).toBe(outcome.status);
        await audit.record(
          {
            actor: { type: 'system', id: 'test' },
            action: 'test.settled',
            outcome: 'success',
            details: { msgid: message.msgid, status: outcome.status, errMsg: outcome.errMsg, infcode: outcome.infcode },
          },
          manager,
        );
      },
    );
    const offReversal = outbox.onSettled('2601', async (manager, message, outcome) => {
      await audit.record(
        {
          actor: { type: 'system', id: 'test' },
          action: 'test.settled-2601',
          outcome: 'success',
          details: { msgid: message.msgid, status: outcome.status, errMsg: outcome.errMsg, infcode: outcome.infcode },
        },
        manager,
      );
    });
    const messages = await outbox.enqueueNow([
      ...Array.from({ length: 10 }, (_, n) => ({
        infno: '3201',
        input: { begndate: '2026-10-01', enddate: '2026-10-31', n },
      })),
      // A reversal of a settlement the insurer never saw: a business rejection.
      { infno: '2601', input: { omsgid: 'H64010600001202611250000000001', oinfno: '2207' } },
    ]);
    const a = dispatcher();
    const b = dispatcher();
    a.start();
    b.start();
    try {
      await until(() => settled(messages.map((m) => m.id)), 'every message to settle');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      off();
      offReversal();
    }
    const delivered = messages
      .filter((m) => m.infno === '3201')
      .map((m) => m.msgid)
      .sort();
    expect(calls.map((c) => c.msgid).sort()).toEqual(delivered);
    expect((await hookRows('test.settled')).map((r) => r.msgid).sort()).toEqual(delivered);
    expect(
      calls.every((c) => c.outcome.status === 'delivered' && c.outcome.infcode === 0 && c.outcome.errMsg === null),
    ).toBe(true);
    // The output is the decoded reply output (3201 answers the period and its totals).
    expect(calls[0].outcome.output).toMatchObject({ begndate: '2026-10-01', enddate: '2026-10-31' });
    const [rejected] = await hookRows('test.settled-2601');
    expect(rejected).toMatchObject({ status: 'rejected', msgid: messages[10].msgid });
    expect(rejected.errMsg).toMatch(/[\u4e00-\u9fff]/);
    expect(rejected.infcode).not.toBe(0);
  });

  it('a handler that throws rolls the settlement back; the message is asked about by msgid, not resent, and the handler runs again', async () => {
    let failuresLeft = 1;
    const runs: string[] = [];
    const off = outbox.onSettled('3201', async (manager, message, outcome) => {
      runs.push(message.msgid);
      // Written before the failure: must vanish with the rolled-back transaction.
      await audit.record(
        {
          actor: { type: 'system', id: 'test' },
          action: 'test.settled-retry',
          outcome: 'success',
          details: { msgid: message.msgid, status: outcome.status },
        },
        manager,
      );
      if (failuresLeft-- > 0) {
        throw new Error('the capability could not record the outcome this time');
      }
    });
    const [m] = await outbox.enqueueNow([
      { infno: '3201', input: { begndate: '2026-09-01', enddate: '2026-09-30', n: 999 } },
    ]);
    const d = dispatcher();
    d.start();
    try {
      await until(() => settled([m.id]), 'the message to settle after the retry');
    } finally {
      await d.stop();
      off();
    }
    expect(runs).toEqual([m.msgid, m.msgid]);
    expect(await hookRows('test.settled-retry')).toHaveLength(1);
    const { message, attempts } = await outbox.get(m.id);
    expect(message.status).toBe('delivered');
    // Sent once, first, and never again; after the rollback it was asked about by msgid (9201) —
    // as often as a loaded machine needs — and the last attempt is the query that delivered it.
    const kinds = attempts.map((x) => x.kind);
    expect(kinds.filter((k) => k === 'send')).toEqual(['send']);
    expect(kinds[0]).toBe('send');
    expect(kinds.slice(1)).toEqual(expect.arrayContaining(['query']));
    expect(attempts[attempts.length - 1]).toMatchObject({ kind: 'query', outcome: 'delivered' });
    expect(sandbox.message(m.msgid)?.timesReceived).toBe(1);
  });
});

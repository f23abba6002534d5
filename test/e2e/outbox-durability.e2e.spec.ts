import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { auditServiceOn } from '../../src/platform/standalone';
import { SystemClock } from '../../src/platform/clock';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { decodeKeyring, generateKeyringDocument, writeKeyringFile } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { OutboxService } from '../../src/upstream/outbox/outbox.service';
import { standaloneOutbox } from '../../src/upstream/outbox/standalone-outbox';
import { writeSigningKey } from '../../src/upstream/signing-keys';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { startGatewayProcess } from '../support/gateway-process';
import { testConfig, TEST_HOSPITAL } from '../support/test-config';
import { eventually } from '../support/eventually';

/**
 * What the outbox promises, shown with real processes: a gateway killed with SIGKILL in the
 * middle of dispatching, then restarted, delivers every message exactly once; two gateways on
 * one PostgreSQL never send a message twice. Counted at the sandbox insurer, by msgid.
 *
 * The full counts (2,000 per database for the kill, 5,000 for two instances): with SM2 on
 * sm-crypto-v2 (a few ms of CPU per message on each side) and no pacing, the backlogs take about a
 * minute in all. DURABILITY_MESSAGES / DURABILITY_MESSAGES_TWO change them.
 */
jest.setTimeout(400_000);

const MESSAGES = Number(process.env.DURABILITY_MESSAGES ?? 2000);
const MESSAGES_TWO_INSTANCES = Number(process.env.DURABILITY_MESSAGES_TWO ?? 5000);

interface Setup {
  dir: string;
  configFile: string;
  ds: DataSource;
  outbox: OutboxService;
  sandbox: SandboxInsurer;
  cleanup: () => Promise<void>;
}

async function setUp(kind: DbKind): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-durable-'));
  const { database, cleanup } = await testDatabase(kind, dir);
  const key = writeSigningKey(join(dir, 'signing.json'), 'gw-durable');
  const keyringFile = join(dir, 'keyring.json');
  const keyring = generateKeyringDocument('k1');
  writeKeyringFile(keyringFile, keyring);
  const sandbox = new SandboxInsurer({ gatewayKeys: { [key.id]: key.publicKey } });
  const url = await sandbox.start();
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(
    configFile,
    JSON.stringify({
      mode: 'production',
      dataDir: dir,
      server: { port: 0 },
      database,
      hospital: TEST_HOSPITAL,
      pii: { keyringFile },
      logging: { level: 'warn' },
      upstream: {
        baseUrl: url,
        defaultTimeoutMs: 5000,
        signing: { keyFile: join(dir, 'signing.json'), insurerPublicKey: sandbox.publicKey },
        // The insurer-facing pacing (maxSendsPerSecond, 50 by default) is a policy, not what is shown
        // here: left at 50 it made these backlogs take minutes of CI; the messages now go as fast as the
        // machine sends them, up to 8 at a time (more in flight when the kill lands).
        dispatcher: {
          concurrency: 8,
          pollIntervalMs: 50,
          leaseMs: 10_000,
          backoffBaseMs: 100,
          backoffMaxMs: 2000,
          maxSendsPerSecond: 1000,
        },
      },
    }),
  );
  const ds = await openDataSource(database, dir, GATEWAY_SCHEMA);
  await runMigrations(ds);
  const clock = new SystemClock();
  const config = testConfig({ hospital: TEST_HOSPITAL });
  // The gateway's keyring: the bodies written here are encrypted, and the gateway reads them.
  const pii = new PiiCryptoService(decodeKeyring(keyring));
  const outbox = standaloneOutbox(ds, config, clock, auditServiceOn(ds, pii, clock), pii);
  return { dir, configFile, ds, outbox, sandbox, cleanup };
}

async function enqueue(outbox: OutboxService, n: number): Promise<string[]> {
  const msgids: string[] = [];
  for (let i = 0; i < n; i += 500) {
    const batch = await outbox.enqueueNow(
      Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
        infno: '3201',
        input: { begndate: '2026-10-01', enddate: '2026-10-31', n: i + j },
      })),
    );
    msgids.push(...batch.map((m) => m.msgid));
  }
  return msgids;
}

const until = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 300_000): Promise<void> =>
  eventually(check, what, timeoutMs, 200);

function expectEachReceivedOnce(sandbox: SandboxInsurer, msgids: string[]): void {
  const times = msgids.map((m) => sandbox.message(m)?.timesReceived ?? 0);
  const missing = times.filter((t) => t === 0).length;
  const repeated = times.filter((t) => t > 1).length;
  expect({ received: msgids.length - missing, repeated }).toEqual({ received: msgids.length, repeated: 0 });
}

async function settledCount(ds: DataSource): Promise<number> {
  const rows = await ds.query<{ n: string | number }[]>(
    `SELECT COUNT(*) AS n FROM outbox_message WHERE status IN ('delivered', 'rejected')`,
  );
  return Number(rows[0].n);
}

describe.each(availableDatabases())('outbox durability on %s', (kind: DbKind) => {
  it(`a gateway killed with SIGKILL while dispatching ${MESSAGES} messages, then restarted, delivers each exactly once`, async () => {
    const s = await setUp(kind);
    try {
      const msgids = await enqueue(s.outbox, MESSAGES);
      const first = startGatewayProcess(['--config', s.configFile], s.dir);
      await first.listening;
      await until(() => s.sandbox.stats().processed >= Math.min(300, MESSAGES / 4), 'the first deliveries');
      first.child.kill('SIGKILL');
      await first.exit;
      const atKill = s.sandbox.stats().processed;
      expect(atKill).toBeLessThan(MESSAGES);

      const second = startGatewayProcess(['--config', s.configFile], s.dir);
      try {
        await second.listening;
        await until(async () => (await settledCount(s.ds)) === MESSAGES, 'every message to settle');
      } finally {
        second.child.kill('SIGTERM');
        await second.exit;
      }
      expectEachReceivedOnce(s.sandbox, msgids);
      expect(s.sandbox.stats().duplicates).toBe(0);
      const statuses = await s.ds.query<{ status: string; n: string | number }[]>(
        'SELECT status, COUNT(*) AS n FROM outbox_message GROUP BY status',
      );
      expect(statuses.map((r) => [r.status, Number(r.n)])).toEqual([['delivered', MESSAGES]]);
    } finally {
      await s.sandbox.stop();
      await s.ds.destroy();
      await s.cleanup();
    }
  });
});

describe('two gateway instances on one PostgreSQL (skipped without GATEWAY_TEST_PG_URL)', () => {
  const run = availableDatabases().includes('postgres') ? it : it.skip;
  run(`dispatch ${MESSAGES_TWO_INSTANCES} messages together, none sent twice`, async () => {
    const s = await setUp('postgres');
    try {
      const msgids = await enqueue(s.outbox, MESSAGES_TWO_INSTANCES);
      const a = startGatewayProcess(['--config', s.configFile], s.dir);
      const b = startGatewayProcess(['--config', s.configFile], s.dir);
      try {
        await Promise.all([a.listening, b.listening]);
        await until(async () => (await settledCount(s.ds)) === MESSAGES_TWO_INSTANCES, 'every message to settle');
      } finally {
        a.child.kill('SIGTERM');
        b.child.kill('SIGTERM');
        await Promise.all([a.exit, b.exit]);
      }
      expectEachReceivedOnce(s.sandbox, msgids);
      expect(s.sandbox.stats().duplicates).toBe(0);
      // Both instances really took part.
      const byInstance = await s.ds.query<{ instance_id: string }[]>(`SELECT DISTINCT instance_id FROM outbox_attempt`);
      expect(byInstance.length).toBe(2);
    } finally {
      await s.sandbox.stop();
      await s.ds.destroy();
      await s.cleanup();
    }
  });
});

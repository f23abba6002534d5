import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { SystemClock } from '../../src/platform/clock';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { decodeKeyring, generateKeyringDocument, writeKeyringFile } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { apiKeyServiceOn, auditServiceOn } from '../../src/platform/standalone';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { standaloneOutbox } from '../../src/upstream/outbox/standalone-outbox';
import { writeSigningKey } from '../../src/upstream/signing-keys';
import { eventually } from '../support/eventually';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { testConfig, TEST_HOSPITAL } from '../support/test-config';
import { traceCode } from '../support/trace-codes';

/**
 * Issue 17: PostgreSQL restarted under traffic. A real gateway process on a private PostgreSQL
 * cluster (never the shared one) takes 1,000 trace-code scans from HIS-like clients while its
 * dispatcher sends 200 outbox messages; the database is stopped in the middle and started again.
 *
 * What must hold: requests cut by the outage answer 503 DATABASE_UNAVAILABLE and HIS retries them;
 * every box ends on its line exactly once, and every scan is answered "accepted" or — only for a
 * retry after a 503 — "already on this line"; the insurer gets each message exactly once (a reply
 * that arrived while the database was down is resolved by asking the insurer, 9201, never by a
 * resend) and every message ends delivered; /health says down during the outage and up after; the
 * gateway process is the same one from start to end.
 */
jest.setTimeout(120_000);

const VISITS = 20;
const LINES_PER_VISIT = 5;
const BOXES_PER_LINE = 10; // 20 × 5 × 10 = 1,000 scans
const MESSAGES = 200;
const HIS_CONCURRENCY = 8;
const HIS_RETRY_MS = 200;
const MED = 'XJ01CAA040A001010100001';
/** The insurer holds each message this long until the database is back, so messages are at it when it stops. */
const SLOW_INSURER_MS = 2000;
/** A message sent less than this ago is still held by the insurer for most of SLOW_INSURER_MS. */
const FRESH_SEND_MS = 400;

interface Scan {
  visitId: string;
  lineNo: string;
  code: string;
}
type Answer = 'accepted' | 'already-on-line';
interface ScanRecord {
  scan: Scan;
  unavailable: number;
  answer?: Answer;
}
interface HealthSample {
  status: number;
  database?: string;
  uptimeSeconds?: number;
}

const run = privatePostgresAvailable('the PostgreSQL restart e2e') ? describe : describe.skip;

run('PostgreSQL restarted under traffic (private cluster)', () => {
  let pg: PrivatePostgres;
  let dir: string;
  let ds: DataSource | undefined;
  let sandbox: SandboxInsurer | undefined;
  let gw: GatewayProcess | undefined;

  afterAll(async () => {
    if (gw && gw.child.exitCode === null) {
      gw.child.kill('SIGTERM');
      await gw.exit;
    }
    await sandbox?.stop();
    await ds?.destroy().catch(() => undefined);
    await pg?.remove();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`${VISITS * LINES_PER_VISIT * BOXES_PER_LINE} scans and ${MESSAGES} outbox messages in flight: each accounted for exactly once, no process restart`, async () => {
    pg = await startPrivatePostgres();
    dir = mkdtempSync(join(tmpdir(), 'gw-pg-restart-'));

    // ---- the database, an API key for HIS, the insurer, the gateway process
    const database = { url: pg.url, poolSize: 10, migrateOnStart: true, schema: '' };
    const db = await openDataSource(database, dir, GATEWAY_SCHEMA);
    ds = db;
    await runMigrations(db);
    const clock = new SystemClock();
    // The gateway's keyring: the outbox bodies written here are encrypted, and the gateway reads them.
    const keyring = generateKeyringDocument('k1');
    const pii = new PiiCryptoService(decodeKeyring(keyring));
    const audit = auditServiceOn(db, pii, clock);
    const apiKey = (
      await apiKeyServiceOn(db, audit, clock).create(
        { name: 'HIS', scopes: ['trace-codes'] },
        { type: 'system', id: 'e2e' },
      )
    ).token;
    const key = writeSigningKey(join(dir, 'signing.json'), 'gw-pg-restart');
    const keyringFile = join(dir, 'keyring.json');
    writeKeyringFile(keyringFile, keyring);
    const insurer = new SandboxInsurer({ gatewayKeys: { [key.id]: key.publicKey } });
    sandbox = insurer;
    const insurerUrl = await insurer.start();
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
          baseUrl: insurerUrl,
          defaultTimeoutMs: 10_000,
          signing: { keyFile: join(dir, 'signing.json'), insurerPublicKey: insurer.publicKey },
          dispatcher: { concurrency: 4, pollIntervalMs: 50, leaseMs: 3000, backoffBaseMs: 100, backoffMaxMs: 1000 },
        },
      }),
    );
    const gateway = startGatewayProcess(['--config', configFile], dir);
    gw = gateway;
    const base = await gateway.listening;
    const pid = gateway.child.pid;
    let exitedEarly = false;
    void gateway.exit.then(() => (exitedEarly = true));

    const his = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    // ---- HIS declares the lines: 20 visits of 5 lines of 10 boxes
    const scans: Scan[] = [];
    for (let v = 0; v < VISITS; v++) {
      const visitId = `PGR${v}`;
      const lines = Array.from({ length: LINES_PER_VISIT }, (_, l) => ({
        lineNo: String(l + 1),
        medListCode: MED,
        drugName: '阿莫西林胶囊',
        quantity: BOXES_PER_LINE,
        splitPackage: false,
      }));
      const res = await his('PUT', `/api/v1/trace-codes/visits/${visitId}/lines`, { lines });
      expect(res.status).toBe(200);
      for (const line of lines) {
        for (let b = 0; b < BOXES_PER_LINE; b++) {
          scans.push({ visitId, lineNo: line.lineNo, code: traceCode(1 + scans.length) });
        }
      }
    }

    // ---- /health, watched throughout
    const health: HealthSample[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const res = await fetch(`${base}/health`);
        const body = (await res.json()) as { components?: { database?: { status: string } }; uptimeSeconds?: number };
        health.push({
          status: res.status,
          database: body.components?.database?.status,
          uptimeSeconds: body.uptimeSeconds,
        });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    // ---- 200 messages in the outbox, a slow insurer: they are still being sent when the database stops
    await insurer.faults.set({ latencyMs: SLOW_INSURER_MS });
    const outbox = standaloneOutbox(db, testConfig({ hospital: TEST_HOSPITAL }), clock, audit, pii);
    const msgids = (
      await outbox.enqueueNow(
        Array.from({ length: MESSAGES }, (_, n) => ({
          infno: '3201',
          input: { begndate: '2026-10-01', enddate: '2026-10-31', n },
        })),
      )
    ).map((m) => m.msgid);
    const atInsurer = (): number => msgids.filter((m) => insurer.message(m) !== undefined).length;

    // ---- HIS scanning, as HIS does: a 503 is retried after a pause; anything unexpected is kept
    const records: ScanRecord[] = scans.map((scan) => ({ scan, unavailable: 0 }));
    const unexpected: string[] = [];
    let next = 0;
    const scanOne = async (r: ScanRecord): Promise<void> => {
      for (;;) {
        const res = await his('POST', '/api/v1/trace-codes/scans', {
          visitId: r.scan.visitId,
          lineNo: r.scan.lineNo,
          text: r.scan.code,
        });
        const body = (await res.json()) as {
          code?: string;
          details?: Array<{ context?: { visitId?: string; lineNo?: string } }>;
        };
        if (res.status === 201) {
          r.answer = 'accepted';
          return;
        }
        if (res.status === 503 && body.code === 'DATABASE_UNAVAILABLE') {
          r.unavailable += 1;
          await new Promise((resolve) => setTimeout(resolve, HIS_RETRY_MS));
          continue;
        }
        const context = body.details?.[0]?.context;
        if (
          res.status === 409 &&
          body.code === 'TRACE_CODE_ALREADY_DISPENSED' &&
          r.unavailable > 0 &&
          context?.visitId === r.scan.visitId &&
          context?.lineNo === r.scan.lineNo
        ) {
          r.answer = 'already-on-line'; // the try that got a 503 had committed
          return;
        }
        unexpected.push(`${r.scan.code}: ${res.status} ${JSON.stringify(body)}`);
        return;
      }
    };
    const scanners = Promise.all(
      Array.from({ length: HIS_CONCURRENCY }, async () => {
        while (next < records.length) {
          await scanOne(records[next++]);
        }
      }),
    );
    const answered = (): number => records.filter((r) => r.answer !== undefined).length;

    // ---- PostgreSQL stops in the middle of it all
    // Stop while a message has just gone out (signed, claimed moments ago, not yet answered by the insurer):
    // its reply arrives while the database is away and cannot be recorded.
    const justSent = async (): Promise<boolean> => {
      const rows = await db.query<Array<{ msgid: string }>>(
        `SELECT msgid FROM outbox_message WHERE status = 'sending' AND envelope IS NOT NULL AND updated_at > $1`,
        [new Date(Date.now() - FRESH_SEND_MS)],
      );
      return rows.some((r) => insurer.message(r.msgid) === undefined);
    };
    await eventually(
      async () => answered() >= 250 && atInsurer() >= 4 && (await justSent()),
      'traffic to be under way, a message just sent',
      60_000,
      20,
    );
    const atStop = { scans: answered(), messages: atInsurer() };
    await pg.stop();
    await eventually(
      () =>
        records.some((r) => r.unavailable > 0) &&
        health.some((h) => h.status === 503 && h.database === 'down') &&
        atInsurer() > atStop.messages, // the insurer answered a message while the database was down
      'the outage to be seen by HIS, /health and the dispatcher',
      30_000,
      20,
    );
    await insurer.faults.set({ latencyMs: 0 });
    await pg.start();

    await scanners;
    await eventually(
      async () =>
        Number((await db.query(`SELECT COUNT(*) AS n FROM outbox_message WHERE status = 'delivered'`))[0].n) ===
        MESSAGES,
      'every message to be delivered',
      60_000,
      200,
    );
    await eventually(() => health.at(-1)?.database === 'up', '/health to say the database is up again', 30_000, 50);
    watching = false;
    await watcher;

    // ---- the restart really hit the traffic
    expect(atStop.scans).toBeLessThan(scans.length);
    expect(atStop.messages).toBeLessThan(MESSAGES);
    const retried = records.filter((r) => r.unavailable > 0);
    expect(retried.length).toBeGreaterThan(0);

    // ---- scans: every one answered, none unexpected; each box on its own line exactly once
    // An unexpected answer comes with what the gateway logged about it (by correlation id).
    const logged = (line: string): string => {
      const id = /"correlationId":"([^"]+)"/.exec(line)?.[1];
      const log = `${gateway.out()}\n${gateway.err()}`;
      const at = id ? log.indexOf(id) : -1;
      return at < 0 ? line : `${line}\n  gateway log: ${log.slice(Math.max(0, at - 200), at + 3000)}`;
    };
    expect(unexpected.map(logged)).toEqual([]);
    const answers = { accepted: 0, 'already-on-line': 0, none: 0 };
    for (const r of records) {
      answers[r.answer ?? 'none'] += 1;
    }
    expect(answers.accepted + answers['already-on-line']).toBe(scans.length);
    expect(answers.none).toBe(0);
    const uses = await db.query<Array<{ code: string; visit_id: string; line_no: string }>>(
      `SELECT u.code, u.visit_id, l.line_no FROM trace_code_use u JOIN trace_dispensing_line l ON l.id = u.line_id
       WHERE u.state = 'dispensed' ORDER BY u.code`,
    );
    expect(uses.map((u) => `${u.code} ${u.visit_id}/${u.line_no}`)).toEqual(
      [...scans].sort((a, b) => (a.code < b.code ? -1 : 1)).map((s) => `${s.code} ${s.visitId}/${s.lineNo}`),
    );
    const boxes = await db.query<Array<{ state: string; n: string }>>(
      `SELECT state, COUNT(*) AS n FROM trace_code GROUP BY state`,
    );
    expect(boxes.map((b) => [b.state, Number(b.n)])).toEqual([['dispensed', scans.length]]);
    const counts = await db.query<Array<{ code_count: number; n: string }>>(
      `SELECT code_count, COUNT(*) AS n FROM trace_dispensing_line GROUP BY code_count`,
    );
    expect(counts.map((c) => [Number(c.code_count), Number(c.n)])).toEqual([
      [BOXES_PER_LINE, VISITS * LINES_PER_VISIT],
    ]);

    // ---- outbox: each message received once by the insurer, all delivered; replies lost to the outage were asked for
    const times = msgids.map((m) => insurer.message(m)?.timesReceived ?? 0);
    expect({ received: times.filter((t) => t === 1).length, other: times.filter((t) => t !== 1) }).toEqual({
      received: MESSAGES,
      other: [],
    });
    expect(insurer.stats().duplicates).toBe(0);
    const statuses = await db.query<Array<{ status: string; n: string }>>(
      `SELECT status, COUNT(*) AS n FROM outbox_message GROUP BY status`,
    );
    expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([['delivered', MESSAGES]]);
    const queried = await db.query<Array<{ n: string }>>(
      `SELECT COUNT(*) AS n FROM outbox_attempt WHERE kind = 'query' AND outcome = 'delivered'`,
    );
    expect(Number(queried[0].n)).toBeGreaterThan(0);

    // ---- /health: up, down during the outage, up again; the same process throughout
    const dbStates = health.map((h) => h.database).filter((s, i, all) => i === 0 || s !== all[i - 1]);
    expect(dbStates[0]).toBe('up');
    expect(dbStates).toContain('down');
    expect(dbStates.at(-1)).toBe('up');
    const uptimes = health.map((h) => h.uptimeSeconds ?? 0);
    expect(uptimes.every((u, i) => i === 0 || u >= uptimes[i - 1])).toBe(true);
    expect(exitedEarly).toBe(false);
    expect(gateway.child.exitCode).toBeNull();
    expect(gateway.child.pid).toBe(pid);
    expect(gateway.out().match(/^ {2}listening on /gm)).toHaveLength(1);
    process.stdout.write(
      `[pg-restart] at the stop: ${atStop.scans} scans answered, ${atStop.messages} messages at the insurer; ` +
        `503s seen by HIS: ${records.reduce((n, r) => n + r.unavailable, 0)} on ${retried.length} scans; ` +
        `answers: ${answers.accepted} accepted, ${answers['already-on-line']} already on the line (retries of committed scans); ` +
        `messages settled by a 9201 query: ${queried[0].n}\n`,
    );
  });
});

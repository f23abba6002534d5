import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { SystemClock } from '../../src/platform/clock';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { decodeKeyring, generateKeyringDocument, writeKeyringFile } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { apiKeyServiceOn, auditServiceOn } from '../../src/platform/standalone';
import type { FaultSettings } from '../../src/sandbox/faults';
import type { SandboxStats } from '../../src/sandbox/message-store';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { SEED } from '../../src/sandbox/seed-people';
import { writeSigningKey } from '../../src/upstream/signing-keys';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp, listenLocally } from '../support/e2e-app';
import { eventually } from '../support/eventually';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process';
import { matchTokenByQr } from '../support/match-token';
import { TEST_HOSPITAL } from '../support/test-config';
import { dressingLine, outpatientVisit } from '../support/settlement-visits';

/**
 * Issue 13's two faults around a settlement, counted at the sandbox insurer: its 2207 committed
 * and the reply lost, and the gateway (a real process) killed with SIGKILL while its 2207 is in
 * flight, then restarted on the same database. Either way the gateway asks the insurer by msgid
 * (9201) before anything else — resending the same msgid only when the insurer never got it,
 * never a new 2207 — and the desk gets the insurer's split: exactly one settlement at the insurer.
 */
jest.setTimeout(120_000);

const WORKER = SEED.activeFingers;
const MAPPING = ['院内项目编码,院内项目名称,项目类别,医保目录编码', 'ZL001,换药（中）,诊疗,001203000010000'].join(
  '\r\n',
);

type Split = { totalFen: number; fundFen: number; selfPayFen: number };
type Settlement = {
  id: string;
  status: string;
  setlId: string | null;
  msgid: string;
  split: Split | null;
  deskCollectsFen: number | null;
};
type InsurerReply = {
  infcode: number;
  output: { setl_id: string; medfee_sumamt: number; fund_pay_sumamt: number; psn_pay_sumamt: number };
};

const until = <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => {
  let last: T | undefined;
  return eventually(
    async () => {
      last = await read();
      return ok(last);
    },
    what,
    60_000,
    100,
  ).then(() => last as T);
};

/** The desk and HIS over HTTP against one gateway (its base URL and API key), the insurer's controls. */
function desk(base: () => string, key: string, insurer: string) {
  const send = (method: 'post' | 'put' | 'get', path: string, body?: object) => {
    const r = request(base())[method](path).set('authorization', `Bearer ${key}`);
    return body ? r.send(body) : r;
  };
  const line = dressingLine;
  return {
    send,
    /** The catalogue mapping, the visit and its lines, and a MATCH token for it. */
    async readyToSettle(visitId: string): Promise<string> {
      await send('post', '/api/v1/settlement/catalogue/imports', {
        fileName: '对码.csv',
        contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
      }).expect(201);
      await send('post', '/api/v1/settlement/visits', outpatientVisit(visitId, WORKER.psn_no)).expect(201);
      await send('put', `/api/v1/settlement/visits/${visitId}/lines`, {
        lines: [line('1'), line('2', { injuryRelated: false, amountFen: 2000, unitPriceFen: 2000 })],
      }).expect(200);
      return matchTokenByQr(send, insurer, WORKER, visitId);
    },
    settle: (visitId: string, token: string) =>
      send('post', `/api/v1/settlement/visits/${visitId}/settlement`)
        .set('x-verification-token', token)
        .set('idempotency-key', `${visitId}-1`),
    settlement: async (id: string) =>
      (await send('get', `/api/v1/settlement/settlements/${id}`).expect(200)).body as Settlement,
    visitState: async (visitId: string) =>
      ((await send('get', `/api/v1/settlement/visits/${visitId}`).expect(200)).body as { state: string }).state,
    stats: async () => (await request(insurer).get('/sandbox/stats').expect(200)).body as SandboxStats,
    insurerReply: async (msgid: string) =>
      (await request(insurer).get(`/sandbox/messages/${msgid}`).expect(200)).body as {
        timesReceived: number;
        reply: InsurerReply;
      },
  };
}

/** The desk's split is the insurer's, in fen. */
function expectInsurersSplit(settlement: Settlement, reply: InsurerReply): void {
  const fen = (yuan: number) => Math.round(yuan * 100);
  expect(reply.infcode).toBe(0);
  expect(settlement).toMatchObject({
    status: 'settled',
    setlId: reply.output.setl_id,
    split: {
      totalFen: fen(reply.output.medfee_sumamt),
      fundFen: fen(reply.output.fund_pay_sumamt),
      selfPayFen: fen(reply.output.psn_pay_sumamt),
    },
  });
  // The injury-related line is the fund's, the other one the worker's.
  expect(settlement.split).toMatchObject({ totalFen: 5000, fundFen: 3000, selfPayFen: 2000 });
  expect(settlement.deskCollectsFen).toBe(2000);
}

async function outboxOf(ds: DataSource, infno: string): Promise<Array<{ id: string; msgid: string; status: string }>> {
  return ds.query(`SELECT id, msgid, status FROM outbox_message WHERE infno = '${infno}'`);
}

async function attemptsOf(ds: DataSource, messageId: string): Promise<Array<{ kind: string; outcome: string }>> {
  return ds.query(`SELECT kind, outcome FROM outbox_attempt WHERE message_id = '${messageId}' ORDER BY started_at, id`);
}

describe('settlement under insurer faults', () => {
  let t: TestApp;
  let base: string;
  let insurer: string;
  let ds: DataSource;
  let d: ReturnType<typeof desk>;

  beforeAll(async () => {
    t = await startTestApp({ sandboxInsurer: { enabled: true, port: 0 }, settlement: { waitForOutcomeMs: 5000 } });
    ({ base, insurer } = await listenLocally(t));
    ds = t.app.get(DataSource);
    d = desk(() => base, await t.token(['settlement', 'identity']), insurer);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('commit-then-drop on the 2207: one settlement at the insurer, resolved by 9201, the desk gets the split', async () => {
    const VISIT = 'MZ20261125F1';
    const token = await d.readyToSettle(VISIT);
    await request(insurer).put('/sandbox/faults').send({ commitThenDrop: 1 }).expect(200);
    let answer: request.Response;
    try {
      const settling = d.settle(VISIT, token).then((r) => r);
      // The insurer committed the 2207 and dropped its reply; until the faults are off, the
      // dispatcher's 9201 questions are dropped too.
      await until(d.stats, (s) => (s.byInfno['2207'] ?? 0) >= 1 && s.dropped >= 1, 'the 2207 committed and dropped');
      await request(insurer).delete('/sandbox/faults').expect(200);
      answer = await settling;
    } finally {
      await request(insurer).delete('/sandbox/faults');
    }
    expect([201, 202]).toContain(answer.status);
    const first = answer.body as Settlement;
    if (answer.status === 202) {
      expect(first.status).toBe('pending');
      expect(answer.headers.location).toBe(`/api/v1/settlement/settlements/${first.id}`);
    }
    const done = await until(
      () => d.settlement(first.id),
      (s) => s.status !== 'pending',
      'the settlement resolved',
    );
    const atInsurer = await d.insurerReply(first.msgid);
    expectInsurersSplit(done, atInsurer.reply);
    expect(await d.visitState(VISIT)).toBe('settled');

    // One 2207 at the insurer, received once: no resend, no second 2207 with a new msgid.
    const stats = await d.stats();
    expect(stats.byInfno['2207']).toBe(1);
    expect(stats.byInfno['9201']).toBeGreaterThanOrEqual(1);
    expect(stats.duplicates).toBe(0);
    expect(atInsurer.timesReceived).toBe(1);
    const queued = await outboxOf(ds, '2207');
    expect(queued).toEqual([{ id: expect.any(String), msgid: first.msgid, status: 'delivered' }]);
    const attempts = await attemptsOf(ds, queued[0].id);
    expect(attempts.filter((a) => a.kind === 'send')).toEqual([{ kind: 'send', outcome: 'unknown' }]);
    expect(attempts[attempts.length - 1]).toEqual({ kind: 'query', outcome: 'delivered' });
  });
});

interface KillFault {
  name: string;
  faults: Partial<FaultSettings>;
  /** Where the insurer is once the killed gateway is gone. */
  afterKill: (s: SandboxStats) => boolean;
  /** The 2207's attempts after the restart (the killed run recorded none). */
  attempts: Array<{ kind: string; outcome: string }>;
}

const FAULTS: KillFault[] = [
  {
    name: 'the insurer commits the 2207 after the kill: the restarted gateway learns the outcome by 9201, nothing resent',
    // The insurer holds each message a while before processing it: the kill lands between send and reply.
    faults: { latencyMs: 5000 },
    afterKill: (s) => s.byInfno['2207'] === 1,
    attempts: [{ kind: 'query', outcome: 'delivered' }],
  },
  {
    name: 'the insurer never processed the 2207: 9201 says so, and the same msgid is sent once',
    faults: { timeout: true },
    afterKill: (s) => s.held === 1 && s.byInfno['2207'] === undefined,
    attempts: [
      { kind: 'query', outcome: 'not-received' },
      { kind: 'send', outcome: 'delivered' },
    ],
  },
];

describe.each(availableDatabases())(
  'a gateway on %s killed with SIGKILL while its 2207 is in flight',
  (kind: DbKind) => {
    it.each(FAULTS)('$name', async (fault: KillFault) => {
      const VISIT = 'MZ20261125K1';
      const dir = mkdtempSync(join(tmpdir(), 'gw-sfault-'));
      const { database, cleanup } = await testDatabase(kind, dir);
      const signing = writeSigningKey(join(dir, 'signing.json'), 'gw-sfault');
      const keyringFile = join(dir, 'keyring.json');
      const keyring = generateKeyringDocument('k1');
      writeKeyringFile(keyringFile, keyring);
      const sandbox = new SandboxInsurer({ gatewayKeys: { [signing.id]: signing.publicKey } });
      const insurer = (await sandbox.start()).replace(/\/$/, '');
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
          settlement: { waitForOutcomeMs: 1000 },
          upstream: {
            baseUrl: insurer,
            defaultTimeoutMs: 30_000,
            signing: { keyFile: join(dir, 'signing.json'), insurerPublicKey: sandbox.publicKey },
            dispatcher: { concurrency: 4, pollIntervalMs: 50, leaseMs: 10_000, backoffBaseMs: 100, backoffMaxMs: 2000 },
          },
        }),
      );
      const ds = await openDataSource(database, dir, GATEWAY_SCHEMA);
      const running: GatewayProcess[] = [];
      try {
        await runMigrations(ds);
        const clock = new SystemClock();
        const audit = auditServiceOn(ds, new PiiCryptoService(decodeKeyring(keyring)), clock);
        const key = (
          await apiKeyServiceOn(ds, audit, clock).create(
            { name: 'HIS', scopes: ['settlement', 'identity'] },
            { type: 'system', id: 'e2e' },
          )
        ).token;
        let base = '';
        const d = desk(() => base, key, insurer);
        const start = async (): Promise<GatewayProcess> => {
          const gw = startGatewayProcess(['--config', configFile], dir);
          running.push(gw);
          base = await gw.listening;
          return gw;
        };

        const first = await start();
        const token = await d.readyToSettle(VISIT);
        await sandbox.faults.set(fault.faults);
        const accepted = await d.settle(VISIT, token).expect(202);
        const pending = accepted.body as Settlement;
        expect(pending.status).toBe('pending');
        expect(accepted.headers.location).toBe(`/api/v1/settlement/settlements/${pending.id}`);
        await until(
          () => outboxOf(ds, '2207'),
          (rows) => rows.length === 1 && rows[0].status === 'sending',
          'the 2207 on its way',
        );
        first.child.kill('SIGKILL');
        await first.exit;
        await until(async () => sandbox.stats(), fault.afterKill, 'the insurer to be where the fault leaves it');
        await sandbox.faults.reset();

        const second = await start();
        try {
          const done = await until(
            () => d.settlement(pending.id),
            (s) => s.status !== 'pending',
            'the settlement resolved after the restart',
          );
          const atInsurer = await d.insurerReply(pending.msgid);
          expectInsurersSplit(done, atInsurer.reply);
          expect(await d.visitState(VISIT)).toBe('settled');
          // Settling again answers the same settlement, nothing sent.
          const again = (await d.settle(VISIT, token).expect(201)).body as Settlement;
          expect(again.id).toBe(pending.id);

          const stats = sandbox.stats();
          expect(stats.byInfno['2207']).toBe(1);
          expect(stats.byInfno['9201']).toBeGreaterThanOrEqual(1);
          expect(stats.duplicates).toBe(0);
          expect(atInsurer.timesReceived).toBe(1);
          const queued = await outboxOf(ds, '2207');
          expect(queued).toEqual([{ id: expect.any(String), msgid: pending.msgid, status: 'delivered' }]);
          // The killed run recorded nothing; the restarted one asked first (on PostgreSQL once the lease ran out).
          expect(await attemptsOf(ds, queued[0].id)).toEqual(fault.attempts);
        } finally {
          second.child.kill('SIGTERM');
          await second.exit;
        }
      } finally {
        for (const gw of running) {
          if (gw.child.exitCode === null && gw.child.signalCode === null) {
            gw.child.kill('SIGKILL');
            await gw.exit;
          }
        }
        await sandbox.stop();
        await ds.destroy();
        await cleanup();
      }
    });
  },
);

import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DECLARATION_JOB, RECONCILIATION_JOB } from '../../src/obligations/declaration/declaration.jobs';
import { ObligationsService } from '../../src/obligations/obligations.service';
import { generateKeyringDocument } from '../../src/platform/pii/keyring';
import { JobRunner } from '../../src/platform';
import type { SandboxStats } from '../../src/sandbox/message-store';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { SEED } from '../../src/sandbox/seed-people';
import { writeSigningKey } from '../../src/upstream/signing-keys';
import { postgresUrl, testDatabase } from '../support/databases';
import { startTestApp, type TestApp } from '../support/e2e-app';
import { eventually } from '../support/eventually';
import { matchTokenByQr } from '../support/match-token';
import { PinnedClock } from '../support/pinned-clock';
import { dressingLine, outpatientVisit } from '../support/settlement-visits';

jest.setTimeout(120_000);

/** Beijing 10:00 on Wednesday 2026-11-25: the instances start and a visit is settled. */
const SETTLING_DAY = new Date('2026-11-25T02:00:00Z');
const DAY = 24 * 3_600_000;
const WORKER = SEED.activeFingers;
const MAPPING = ['院内项目编码,院内项目名称,项目类别,医保目录编码', 'ZL001,换药（中）,诊疗,001203000010000'].join(
  '\r\n',
);

const pg = postgresUrl();
if (!pg) {
  process.stderr.write(
    '\n[skip] two-instance declaration e2e skipped: set GATEWAY_TEST_PG_URL=postgres://user@127.0.0.1:5432/test to run it (CI always does).\n',
  );
}

/**
 * Two gateway instances on one PostgreSQL, one insurer, both running the scheduled jobs (at start and
 * when told to, at the same moment): yesterday's reconciliation reaches the insurer once (one 3201),
 * November's declaration is drafted and — with autoSubmit — sent once (one 3401), each attempt's slot
 * claimed by exactly one instance.
 */
(pg ? describe : describe.skip)('two gateway instances on one PostgreSQL running the money jobs', () => {
  const instances: TestApp[] = [];
  let sandbox: SandboxInsurer;
  let insurer: string;
  let dir: string;
  let ds: DataSource;
  let clock: PinnedClock;
  let base: string;
  let key: string;
  let cleanup: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-two-money-'));
    clock = new PinnedClock(SETTLING_DAY);
    const db = await testDatabase('postgres', dir);
    cleanup = db.cleanup;
    const signing = writeSigningKey(join(dir, 'signing.json'), 'gw-two-money');
    sandbox = new SandboxInsurer({ gatewayKeys: { [signing.id]: signing.publicKey }, clock });
    insurer = (await sandbox.start()).replace(/\/$/, '');
    const keyring = generateKeyringDocument('k-two-money');
    // Both start together: their start-up runs of the jobs race each other.
    const started = await Promise.all(
      [0, 1].map(() =>
        startTestApp(
          {
            database: db.database,
            pii: { keyringFile: '', keyring },
            settlement: { declaration: { autoSubmit: true } },
            upstream: {
              baseUrl: insurer,
              signing: { keyFile: join(dir, 'signing.json'), insurerPublicKey: sandbox.publicKey },
              dispatcher: { pollIntervalMs: 50 },
            },
          },
          undefined,
          { clock },
        ),
      ),
    );
    instances.push(...started);
    ds = instances[0].app.get(DataSource);
    await instances[0].app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(instances[0].app.getHttpServer().address() as AddressInfo).port}`;
    key = await instances[0].token(['settlement', 'identity']);
  });
  afterAll(async () => {
    for (const t of instances) {
      await t.close();
    }
    await sandbox?.stop();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const stats = async (): Promise<SandboxStats> =>
    (await request(insurer).get('/sandbox/stats').expect(200)).body as SandboxStats;
  const runBoth = (job: string) => Promise.all(instances.map((t) => t.app.get(JobRunner).runNow(job)));

  const send = (method: 'post' | 'put' | 'get', path: string, body?: object) => {
    const r = request(base)[method](path).set('authorization', `Bearer ${key}`);
    return body ? r.send(body) : r;
  };

  it('one 3201 a day and one 3401 for November, however often both instances run the jobs', async () => {
    // A November settlement through instance A, so that November has something to declare.
    await send('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);
    const visitId = 'MZ20261125T1';
    await send('post', '/api/v1/settlement/visits', outpatientVisit(visitId, WORKER.psn_no)).expect(201);
    await send('put', `/api/v1/settlement/visits/${visitId}/lines`, { lines: [dressingLine('1')] }).expect(200);
    const token = await matchTokenByQr(send, insurer, WORKER, visitId);
    const settling = await send('post', `/api/v1/settlement/visits/${visitId}/settlement`).set(
      'x-verification-token',
      token,
    );
    expect([201, 202]).toContain(settling.status);
    const settlementId = (settling.body as { id: string }).id;
    // Settled (the insurer's reply recorded), not merely received by the insurer: November's totals include it.
    await eventually(
      async () =>
        ((await send('get', `/api/v1/settlement/settlements/${settlementId}`).expect(200)).body as { status: string })
          .status === 'settled',
      'the November settlement to be settled',
      30_000,
    );
    await runBoth(RECONCILIATION_JOB); // 2026-11-24, already done at start by one of them

    clock.advance(7 * DAY); // Wednesday 2026-12-02: 2026-12-01 is due its reconciliation, November its declaration
    await runBoth(RECONCILIATION_JOB);
    await runBoth(DECLARATION_JOB);
    await runBoth(RECONCILIATION_JOB);
    await runBoth(DECLARATION_JOB);

    const obligations = instances[1].app.get(ObligationsService);
    await eventually(
      async () => (await obligations.find('monthly-declaration', '2026-11'))?.state === 'done',
      'the November declaration (3401) to be done',
      30_000,
    );
    const byInfno = (await stats()).byInfno;
    expect(byInfno['3201']).toBe(2); // 2026-11-24 at start, 2026-12-01 now
    expect(byInfno['3401']).toBe(1);
    expect(byInfno['3202'] ?? 0).toBe(0); // the totals agree

    const slots = await ds.query<{ job: string; slot: string }[]>(
      `SELECT job, slot FROM scheduled_slot WHERE job IN ('${RECONCILIATION_JOB}', '${DECLARATION_JOB}') ORDER BY job, slot`,
    );
    expect(slots).toEqual([
      { job: DECLARATION_JOB, slot: '2026-11#1' },
      { job: RECONCILIATION_JOB, slot: '2026-11-24#1' },
      { job: RECONCILIATION_JOB, slot: '2026-12-01#1' },
    ]);
    const runs = await ds.query<{ n: string }[]>(`SELECT COUNT(*) AS n FROM obligation_reconciliation`);
    expect(Number(runs[0].n)).toBe(2);
    expect(await obligations.find('reconciliation', '2026-12-01')).toMatchObject({ state: 'done', attempts: 0 });
    expect(await obligations.find('monthly-declaration', '2026-11')).toMatchObject({
      state: 'done',
      evidence: { consistent: true },
    });
    expect(await obligations.find('monthly-declaration', '2026-10')).toBeUndefined(); // nothing settled in October
  });

  it('the next day, both asking at the same moment while the insurer is slow: still one 3201', async () => {
    clock.advance(DAY); // Thursday 2026-12-03: 2026-12-02 is due
    await sandbox.faults.set({ latencyMs: 300 }); // the winner is still waiting for 3201 while the other looks
    await runBoth(RECONCILIATION_JOB);
    await sandbox.faults.reset();
    expect((await stats()).byInfno['3201']).toBe(3);
    const slots = await ds.query<{ slot: string }[]>(
      `SELECT slot FROM scheduled_slot WHERE job = '${RECONCILIATION_JOB}' ORDER BY slot`,
    );
    expect(slots.map((s) => s.slot)).toEqual(['2026-11-24#1', '2026-12-01#1', '2026-12-02#1']);
    expect(await instances[0].app.get(ObligationsService).find('reconciliation', '2026-12-02')).toMatchObject({
      state: 'done',
    });
  });
});

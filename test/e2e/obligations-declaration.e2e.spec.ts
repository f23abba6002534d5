import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { settlementsCommand } from '../../src/cli/settlements.command';
import { DECLARATION_JOB, RECONCILIATION_JOB } from '../../src/obligations/declaration/declaration.jobs';
import { ObligationsService } from '../../src/obligations/obligations.service';
import { JobRunner } from '../../src/platform';
import { SEED } from '../../src/sandbox/seed-people';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp, listenLocally } from '../support/e2e-app';
import { matchTokenByQr } from '../support/match-token';
import { PinnedClock } from '../support/pinned-clock';
import { dressingLine, outpatientVisit } from '../support/settlement-visits';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WORKER = SEED.activeFingers;
const MAPPING = ['院内项目编码,院内项目名称,项目类别,医保目录编码', 'ZL001,换药（中）,诊疗,001203000010000'].join(
  '\r\n',
);
/** Beijing 10:00 on Wednesday 2026-11-25. */
const SETTLING_DAY = new Date('2026-11-25T02:00:00Z');

type Settlement = { id: string; status: string; setlId: string | null; split: { totalFen: number } | null };
type Declaration = {
  month: string;
  state: string;
  setlCnt: number;
  medfeeFen: number;
  fundFen: number;
  psnFen: number;
  offlineFlag: boolean;
  unresolved: unknown[];
  submissions: { msgid: string; resubmit: boolean; outcome: string; offlineFlag: boolean }[];
  receiptId: string | null;
  consistent: boolean | null;
  insurer: { setlCnt: number; medfeeFen: number; fundFen: number } | null;
  differences: unknown[];
};
type Run = {
  id: string;
  state: string;
  trigger: string;
  local: { setlCnt: number; medfeeFen: number };
  insurer: { setlCnt: number; medfeeFen: number } | null;
  stmtRslt: string | null;
  differences: { kind: string; settlementId: string | null; setlId: string | null; todo: string; hint: string }[];
};

/**
 * Issue 14, points 5 and 6 over HTTP with the sandbox insurer, on both databases: a month of
 * outpatient settlements (one cancelled) is reconciled the next day by the daily job (3201 agrees,
 * the day's duty fulfilled), drafted on the first working day of the next month by the declaration
 * job, reviewed and submitted by staff (3401: the sandbox finds it consistent, the month's duty
 * fulfilled with the receipt), resubmitted with offline_flag once the month turns out to have had an
 * outage; and a deliberately wrong local total is caught by reconciliation, which names the settlement.
 */
describe.each(availableDatabases())('monthly declaration and reconciliation over HTTP on %s', (kind: DbKind) => {
  let t: TestApp;
  let clock: PinnedClock;
  let base: string;
  let insurer: string;
  let key: string;
  let ds: DataSource;
  let cleanup: () => Promise<void> = async () => undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gw-declaration-e2e-'));
  const settled: Settlement[] = [];

  beforeAll(async () => {
    const db = await testDatabase(kind, dir);
    cleanup = db.cleanup;
    clock = new PinnedClock(SETTLING_DAY);
    t = await startTestApp(
      {
        database: db.database,
        sandboxInsurer: { enabled: true, port: 0 },
        settlement: { waitForOutcomeMs: 5000 },
        upstream: { dispatcher: { pollIntervalMs: 50 } },
      },
      undefined,
      { clock },
    );
    ({ base, insurer } = await listenLocally(t));
    key = await t.token(['settlement', 'identity']);
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (method: 'post' | 'put' | 'get', path: string, body?: object) => {
    const r = request(base)[method](path).set('authorization', `Bearer ${key}`);
    return body ? r.send(body) : r;
  };
  const eventually = async <T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    let last: T | undefined;
    for (let i = 0; i < 200; i++) {
      last = await read();
      if (ok(last)) {
        return last;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out; last: ${JSON.stringify(last)}`);
  };
  const sandboxCount = async (infno: string): Promise<number> =>
    ((await request(insurer).get('/sandbox/stats').expect(200)).body as { byInfno: Record<string, number> }).byInfno[
      infno
    ] ?? 0;
  const settleVisit = async (visitId: string, amountFen: number): Promise<Settlement> => {
    await send('post', '/api/v1/settlement/visits', outpatientVisit(visitId, WORKER.psn_no)).expect(201);
    await send('put', `/api/v1/settlement/visits/${visitId}/lines`, {
      lines: [
        dressingLine('1', { amountFen, unitPriceFen: amountFen }),
        dressingLine('2', { injuryRelated: false, amountFen: 1000, unitPriceFen: 1000 }),
      ],
    }).expect(200);
    const token = await matchTokenByQr(send, insurer, WORKER, visitId);
    const r = await send('post', `/api/v1/settlement/visits/${visitId}/settlement`).set('x-verification-token', token);
    expect([201, 202]).toContain(r.status);
    return eventually(
      async () =>
        (await send('get', `/api/v1/settlement/settlements/${(r.body as Settlement).id}`).expect(200))
          .body as Settlement,
      (s) => s.status === 'settled',
    );
  };
  const declaration = async (month: string): Promise<Declaration> =>
    (await send('get', `/api/v1/declarations/${month}`).expect(200)).body as Declaration;

  it('settles a day of visits (one cancelled); the daily job reconciles it next day once, agreed', async () => {
    await send('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);
    for (const [i, fen] of [3000, 4550, 12000, 2500].entries()) {
      settled.push(await settleVisit(`MZ2026112500${i + 1}`, fen));
    }
    await send('post', `/api/v1/settlement/settlements/${settled[3].id}/cancel`, {
      reason: '患者要求',
      staff: '张三',
    }).expect(202);
    await eventually(
      async () => (await send('get', `/api/v1/settlement/settlements/${settled[3].id}`).expect(200)).body as Settlement,
      (s) => s.status === 'cancelled',
    );

    clock.advance(DAY); // Thursday 2026-11-26, Beijing 10:00
    const before = await sandboxCount('3201');
    await t.app.get(JobRunner).runNow(RECONCILIATION_JOB);
    await t.app.get(JobRunner).runNow(RECONCILIATION_JOB); // a second tick sends nothing more
    expect(await sandboxCount('3201')).toBe(before + 1);
    const runs = (await send('get', '/api/v1/reconciliations?day=2026-11-25').expect(200)).body as Run[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      state: 'agreed',
      trigger: 'daily',
      stmtRslt: '0',
      local: { setlCnt: 3, medfeeFen: 3000 + 4550 + 12000 + 3 * 1000 },
      insurer: { setlCnt: 3, medfeeFen: 3000 + 4550 + 12000 + 3 * 1000 },
      differences: [],
    });
    const duty = await t.app.get(ObligationsService).find('reconciliation', '2026-11-25');
    expect(duty).toMatchObject({ state: 'done', dueOn: '2026-11-27', evidence: { runId: runs[0].id, stmtRslt: '0' } });
  });

  it('drafts November on the first working day of December; staff submit; the sandbox finds it consistent', async () => {
    clock.advance(5 * DAY); // Tuesday 2026-12-01, Beijing 10:00: the first working day of December
    await t.app.get(JobRunner).runNow(DECLARATION_JOB);
    const drafts = (await send('get', '/api/v1/declarations?state=draft').expect(200)).body as Declaration[];
    // Not October: the job ran when the gateway started in November, but nothing was settled in October.
    expect(drafts.map((d) => [d.month, d.setlCnt])).toEqual([['2026-11', 3]]);
    expect(drafts[0]).toMatchObject({
      state: 'draft',
      setlCnt: 3,
      medfeeFen: 22550,
      fundFen: 19550,
      psnFen: 3000,
      offlineFlag: false,
      unresolved: [],
      submissions: [],
    });
    const duty = await t.app.get(ObligationsService).find('monthly-declaration', '2026-11');
    expect(duty).toMatchObject({ state: 'open', dueOn: '2026-12-31' });
    expect(await sandboxCount('3401')).toBe(0); // autoSubmit is off: staff review first

    await send('post', '/api/v1/declarations/2026-11/submit').expect(202);
    await send('post', '/api/v1/declarations/2026-11/submit').expect(409);
    const accepted = await eventually(
      () => declaration('2026-11'),
      (d) => d.state === 'accepted',
    );
    expect(accepted).toMatchObject({
      consistent: true,
      receiptId: expect.stringMatching(/^MD/),
      insurer: { setlCnt: 3, medfeeFen: 22550, fundFen: 19550 },
      differences: [],
    });
    expect(accepted.submissions).toEqual([expect.objectContaining({ resubmit: false, outcome: 'accepted' })]);
    expect(await t.app.get(ObligationsService).find('monthly-declaration', '2026-11')).toMatchObject({
      state: 'done',
      evidence: { receiptId: accepted.receiptId, consistent: true },
    });
    const again = await send('post', '/api/v1/declarations/2026-11/submit').expect(409);
    expect(again.body).toMatchObject({ code: 'DECLARATION_ALREADY_ACCEPTED' });
    await send('post', '/api/v1/declarations/2026-12/draft').expect(422);
    await send('post', '/api/v1/declarations/2026-13/draft').expect(422);
  });

  it('resubmits with offline_flag once the month turns out to have had settlements made while the insurer was away', async () => {
    // As settling in emergency mode leaves it: the provisional split kept on the (later settled) record.
    await ds.query(`UPDATE settlement_record SET provisional_split = '{}' WHERE id = '${settled[0].id}'`);
    await send('post', '/api/v1/declarations/2026-11/resubmit').expect(202);
    const resubmitted = await eventually(
      () => declaration('2026-11'),
      (d) => d.state === 'accepted' && d.submissions.length === 2,
    );
    expect(resubmitted).toMatchObject({ offlineFlag: true, consistent: true });
    expect(resubmitted.submissions[1]).toMatchObject({ resubmit: true, offlineFlag: true, outcome: 'accepted' });
    const atInsurer = (await request(insurer).get(`/sandbox/messages/${resubmitted.submissions[1].msgid}`).expect(200))
      .body as { reply: { infcode: number } };
    expect(atInsurer.reply.infcode).toBe(0);
  });

  it('a declaration the insurer refuses is recorded as refused (duty attempt) and can be resubmitted', async () => {
    // The gateway lost its record of November (say, restored from an older backup); the insurer has it.
    await ds.query(`DELETE FROM obligation_declaration WHERE month = '2026-11'`);
    await send('post', '/api/v1/declarations/2026-11/draft').expect(200);
    await send('post', '/api/v1/declarations/2026-11/submit').expect(202);
    const refused = await eventually(
      () => declaration('2026-11'),
      (d) => d.state === 'refused',
    );
    expect((refused as Declaration & { lastError: string }).lastError).toMatch(/^2026-11 已申报（回执 MD\d+）/);
    expect(await t.app.get(ObligationsService).find('monthly-declaration', '2026-11')).toMatchObject({
      state: 'done',
      attempts: 1,
    });
    await send('post', '/api/v1/declarations/2026-11/resubmit').expect(202);
    const accepted = await eventually(
      () => declaration('2026-11'),
      (d) => d.state === 'accepted',
    );
    expect(accepted).toMatchObject({ consistent: true, receiptId: expect.stringMatching(/^MD/) });
    expect(accepted.submissions.map((x) => [x.resubmit, x.outcome])).toEqual([
      [false, 'refused'],
      [true, 'accepted'],
    ]);
  });

  it('catches a wrong local total and names the settlement; bad periods are refused', async () => {
    const wrong = settled[1];
    const split = JSON.parse(
      (await ds.query<{ split: string }[]>(`SELECT split FROM settlement_record WHERE id = '${wrong.id}'`))[0].split,
    ) as { totalFen: number; selfPayFen: number };
    split.totalFen += 100;
    split.selfPayFen += 100;
    await ds.query(`UPDATE settlement_record SET split = '${JSON.stringify(split)}' WHERE id = '${wrong.id}'`);

    const run = (await send('post', '/api/v1/reconciliations', { from: '2026-11-01', to: '2026-11-30' }).expect(201))
      .body as Run;
    expect(run).toMatchObject({ state: 'differs', trigger: 'on-demand', stmtRslt: '1' });
    expect(run.differences).toEqual([
      expect.objectContaining({ kind: 'figures-differ', settlementId: wrong.id, setlId: wrong.setlId }),
    ]);
    expect(run.differences[0].todo).toContain('9201');
    expect((await send('get', `/api/v1/reconciliations/${run.id}`).expect(200)).body).toEqual(run);

    // IT at the terminal: `gateway settlements reconcile --from … --to …` asks the running gateway.
    const lines: string[] = [];
    const out = { log: (text: string) => lines.push(text), error: (text: string) => lines.push(text) };
    const code = await settlementsCommand(
      t.config,
      'reconcile',
      [],
      { from: '2026-11-25', to: '2026-11-25', url: base, key },
      'it',
      out,
      {},
    );
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^2026-11-25 – 2026-11-25 {2}对账不一致/);
    expect(lines[1]).toBe('  网关   3 笔  费用 226.50  基金 195.50  个人 31.00');
    expect(lines[2]).toBe('  经办   3 笔  费用 225.50  基金 195.50  个人 30.00');
    expect(lines[3]).toContain(`figures-differ  setl_id ${wrong.setlId}  settlement ${wrong.id}`);
    expect(lines[4]).toContain('9201');

    const bad = await send('post', '/api/v1/reconciliations', { from: '2026-11-30', to: '2026-11-01' }).expect(422);
    expect(bad.body).toMatchObject({ code: 'RECONCILIATION_PERIOD_INVALID' });
    await send('post', '/api/v1/reconciliations', { from: '2026-12-01', to: '2026-12-01' }).expect(422); // today
    await send('post', '/api/v1/reconciliations', { from: '2026-11-01' }).expect(400);
  });

  it('a daily reconciliation the insurer could not answer is stored as failed and tried again later, once', async () => {
    clock.advance(DAY); // Wednesday 2026-12-02: 2026-12-01 is due
    await request(insurer).put('/sandbox/faults').send({ errorRate: 1 }).expect(200);
    const jobs = t.app.get(JobRunner);
    await jobs.runNow(RECONCILIATION_JOB);
    await jobs.runNow(RECONCILIATION_JOB); // too soon for another attempt
    const obligations = t.app.get(ObligationsService);
    expect(await obligations.find('reconciliation', '2026-12-01')).toMatchObject({
      state: 'open',
      attempts: 1,
      lastError: expect.any(String),
    });
    const failed = (await send('get', '/api/v1/reconciliations?day=2026-12-01').expect(200)).body as Run[];
    expect(failed.map((r) => r.state)).toEqual(['failed']);

    await request(insurer).delete('/sandbox/faults').expect(200);
    clock.advance(15 * 60_000);
    await jobs.runNow(RECONCILIATION_JOB);
    expect(await obligations.find('reconciliation', '2026-12-01')).toMatchObject({ state: 'done', attempts: 1 });
    const runs = (await send('get', '/api/v1/reconciliations?day=2026-12-01').expect(200)).body as Run[];
    expect(runs.map((r) => r.state)).toEqual(['agreed', 'failed']);
  });
});

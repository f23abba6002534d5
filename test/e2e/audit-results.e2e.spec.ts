import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { settlementsCommand } from '../../src/cli/settlements.command';
import { AUDIT_RESULTS_JOB } from '../../src/obligations/audit-results/audit-results.job';
import { AuditResultsRepository } from '../../src/obligations/audit-results/audit-results.repository';
import { AuditResultsService } from '../../src/obligations/audit-results/audit-results.service';
import { ObligationsService } from '../../src/obligations/obligations.service';
import { AuditService, Clock, GatewayConfig, JobRunner, Transactions } from '../../src/platform';
import type { UpstreamCalls } from '../../src/upstream/upstream-calls';
import { UpstreamRejectedError } from '../../src/upstream/upstream.errors';
import { SEED } from '../../src/sandbox/seed-people';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp, listenLocally } from '../support/e2e-app';
import { matchTokenByQr } from '../support/match-token';
import { dressingLine } from '../support/settlement-visits';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const WORKER = SEED.activeFingers;
const MED = 'XJ01CAA040A001010100001';
const MAPPING = [
  '院内项目编码,院内项目名称,项目类别,医保目录编码',
  `YP001,阿莫西林胶囊,药品,${MED}`,
  'ZL001,换药（中）,诊疗,001203000010000',
].join('\r\n');

/** The system clock moved forward by `offsetMs`: ages settlements by days without waiting (gateway and sandbox insurer share it). */
class ShiftedClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

type AuditResult = {
  settlementId: string;
  setlId: string;
  state: string;
  dueOn: string;
  overdue: boolean;
  checks: number;
  lastError: string | null;
  nextCheckAt: string | null;
  result: { version: number; deductedFen: number; approvedFen: number; fundFen: number } | null;
  deductions: Array<{ lineId: string; amountFen: number; reasonCode: string; reason: string; itemName: string }>;
  versions: Array<{ version: number; deductedFen: number }>;
};
type Missing = { settlementId: string; setlId: string; daysSinceSettlement: number; dueOn: string; checks: number };
type Obligation = {
  id: string;
  kind: string;
  subjectId: string;
  owedBy: string;
  state: string;
  dueOn: string;
  attempts: number;
  lastError: string | null;
};

const beijingDay = (d: Date): string => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
const plusDays = (day: string, n: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/**
 * R18 over HTTP with the sandbox insurer, on each database: a settlement's audit duty (owed by the
 * insurer, due 30 calendar days after it) opened by the job, deductions scripted at the insurer
 * recorded per line with their reasons (3501) and the duty fulfilled, an amendment kept as a second
 * version, a settlement 31 days old without a result listed, a cancelled one's duty waived.
 */
describe.each(availableDatabases())('the insurer’s audit results on %s', (kind: DbKind) => {
  const clock = new ShiftedClock();
  let t: TestApp;
  let base: string;
  let insurer: string;
  let key: string;
  let operations: string;
  let cleanup: () => Promise<void>;
  let visits = 0;
  let box = 0;

  beforeAll(async () => {
    // Noon in Beijing (the next one): the days counted below never straddle a Beijing midnight.
    const real = Date.now();
    const noon = Date.parse(`${beijingDay(new Date(real))}T12:00:00+08:00`);
    clock.offsetMs = noon > real ? noon - real : noon + DAY - real;
    const db = await testDatabase(kind, mkdtempSync(join(tmpdir(), 'gw-audit-results-')));
    cleanup = db.cleanup;
    t = await startTestApp(
      {
        database: db.database,
        sandboxInsurer: { enabled: true, port: 0 },
        settlement: { waitForOutcomeMs: 5000 },
        // The test runs the job itself (runNow); its own timer stays out of the way.
        auditResults: { intervalMs: 86_400_000 },
      },
      undefined,
      { clock },
    );
    ({ base, insurer } = await listenLocally(t));
    key = await t.token(['settlement', 'trace-codes', 'identity']);
    operations = await t.token(['operations']);
    await send('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  const send = (method: 'post' | 'put' | 'get', path: string, body?: object) => {
    const r = request(base)[method](path).set('authorization', `Bearer ${key}`);
    return body ? r.send(body) : r;
  };
  const runJob = () => t.app.get(JobRunner).runNow(AUDIT_RESULTS_JOB);
  const auditOf = async (settlementId: string): Promise<AuditResult> =>
    (await send('get', `/api/v1/settlement/settlements/${settlementId}/audit-result`).expect(200)).body as AuditResult;
  const duty = async (settlementId: string): Promise<Obligation | undefined> =>
    (
      (
        await request(base)
          .get('/api/v1/obligations?kind=audit-result')
          .set('authorization', `Bearer ${operations}`)
          .expect(200)
      ).body as Obligation[]
    ).find((o) => o.subjectId === settlementId);
  const missing = async (): Promise<Missing[]> =>
    (await send('get', '/api/v1/settlement/audit-results/missing').expect(200)).body as Missing[];

  /** A visit of the worker today: a drug with its boxes scanned and a dressing, settled (2207). */
  const settleVisit = async (): Promise<{ id: string; setlId: string }> => {
    const visitId = `MZAUDIT${kind}${++visits}`;
    await send('post', '/api/v1/settlement/visits', {
      visitId,
      psnNo: WORKER.psn_no,
      kind: 'outpatient',
      visitDate: beijingDay(clock.now()),
      dept: '手外科',
      diagnosisCode: 'S62.600',
      diagnosisName: '左手食指骨折',
    }).expect(201);
    const today = beijingDay(clock.now());
    await send('put', `/api/v1/settlement/visits/${visitId}/lines`, {
      lines: [
        dressingLine('1', {
          hisItemCode: 'YP001',
          itemName: '阿莫西林胶囊',
          kind: 'drug',
          count: '2',
          unitPriceFen: 1250,
          amountFen: 2500,
          daysOfSupply: 7,
          serviceDate: today,
        }),
        dressingLine('2', { serviceDate: today }),
      ],
    }).expect(200);
    await send('put', `/api/v1/trace-codes/visits/${visitId}/lines`, {
      lines: [{ lineNo: '1', medListCode: MED, drugName: '阿莫西林胶囊', quantity: 2 }],
    }).expect(200);
    for (let i = 0; i < 2; i++) {
      const code = `8${kind === 'sqlite' ? 1 : 2}${String(++box).padStart(18, '0')}`;
      await send('post', '/api/v1/trace-codes/scans', { visitId, lineNo: '1', text: code }).expect(201);
    }
    const token = await matchTokenByQr(send, insurer, WORKER, visitId);
    const settled = (
      await send('post', `/api/v1/settlement/visits/${visitId}/settlement`)
        .set('x-verification-token', token)
        .expect(201)
    ).body as { id: string; status: string; setlId: string };
    expect(settled.status).toBe('settled');
    return { id: settled.id, setlId: settled.setlId };
  };

  it('records the deductions the insurer scripted, per line with reasons, fulfils the duty, keeps amendments as versions', async () => {
    const s = await settleVisit();
    const settledDay = beijingDay(clock.now());
    // Settled, the job has not run yet: known, not watched.
    expect(await auditOf(s.id)).toMatchObject({ state: 'unwatched', dueOn: plusDays(settledDay, 30), result: null });

    await runJob();
    const watched = await auditOf(s.id);
    expect(watched).toMatchObject({ state: 'pending', checks: 0, overdue: false, result: null, deductions: [] });
    expect(await duty(s.id)).toMatchObject({
      kind: 'audit-result',
      owedBy: 'insurer',
      state: 'open',
      dueOn: plusDays(settledDay, 30),
    });

    // The insurer's auditors deduct two lines.
    await request(insurer)
      .put(`/sandbox/audits/${s.setlId}`)
      .send({
        deductions: [
          { feedetl_sn: '2', dedu_amt: 10, dedu_rea_code: 'A01', dedu_rea: '换药（中）超出限价收费' },
          { feedetl_sn: '1', dedu_amt: 5.5, dedu_rea_code: 'A05' },
        ],
      })
      .expect(200);
    // Not asked yet: the first question waits a day after settling (polite).
    await runJob();
    expect((await auditOf(s.id)).checks).toBe(0);

    clock.offsetMs += DAY + 60_000;
    await runJob();
    const done = await auditOf(s.id);
    expect(done).toMatchObject({
      state: 'done',
      checks: 1,
      lastError: null,
      result: { version: 1, fundFen: 5500, deductedFen: 1550, approvedFen: 3950 },
      versions: [{ version: 1, deductedFen: 1550 }],
    });
    expect(done.deductions).toEqual([
      expect.objectContaining({ lineId: '2', amountFen: 1000, reasonCode: 'A01', reason: '换药（中）超出限价收费' }),
      expect.objectContaining({
        lineId: '1',
        amountFen: 550,
        reasonCode: 'A05',
        reason: '超量开药',
        itemName: '阿莫西林胶囊',
      }),
    ]);
    expect(await duty(s.id)).toMatchObject({ state: 'done' });
    // The next question only a week later (amendments).
    expect(Date.parse(done.nextCheckAt as string) - clock.now().getTime()).toBeGreaterThan(6 * DAY);

    // An amendment: asked now (IT's "check now"): a second version, the first kept.
    await request(insurer)
      .put(`/sandbox/audits/${s.setlId}`)
      .send({ deductions: [{ feedetl_sn: '2', dedu_amt: 8, dedu_rea_code: 'A01' }] })
      .expect(200);
    const amended = (await send('post', `/api/v1/settlement/settlements/${s.id}/audit-result/check`).expect(200))
      .body as AuditResult;
    expect(amended.result).toMatchObject({ version: 2, deductedFen: 800, approvedFen: 4700 });
    expect(amended.deductions).toEqual([
      expect.objectContaining({ lineId: '2', amountFen: 800, reason: '超出医疗服务价格标准收费' }),
    ]);
    expect(amended.versions.map((v) => [v.version, v.deductedFen])).toEqual([
      [1, 1550],
      [2, 800],
    ]);
    // Two amendments between two questions: both recorded (the one in between asked for by number).
    for (const amount of [7, 6]) {
      await request(insurer)
        .put(`/sandbox/audits/${s.setlId}`)
        .send({ deductions: [{ feedetl_sn: '2', dedu_amt: amount, dedu_rea_code: 'A01' }] })
        .expect(200);
    }
    clock.offsetMs += 7 * DAY + 60_000;
    await runJob();
    expect((await auditOf(s.id)).versions.map((v) => [v.version, v.deductedFen])).toEqual([
      [1, 1550],
      [2, 800],
      [3, 700],
      [4, 600],
    ]);
    clock.offsetMs -= 7 * DAY + 60_000;
    await request(insurer)
      .put(`/sandbox/audits/${s.setlId}`)
      .send({ deductions: [{ feedetl_sn: '2', dedu_amt: 8, dedu_rea_code: 'A01' }] })
      .expect(200);
    await send('post', `/api/v1/settlement/settlements/${s.id}/audit-result/check`).expect(200);
    const list = (await send('get', '/api/v1/settlement/audit-results?state=done').expect(200)).body as Array<{
      settlementId: string;
      version: number;
      deductedFen: number;
    }>;
    expect(list.find((r) => r.settlementId === s.id)).toMatchObject({ version: 5, deductedFen: 800 });
    const lines: string[] = [];
    const out = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(`ERR ${l}`) };
    expect(await settlementsCommand(t.config, 'audit', [s.id], { url: base, key }, 'it', out, {})).toBe(0);
    expect(lines).toEqual([
      expect.stringContaining(`setl_id ${s.setlId}`),
      expect.stringMatching(/version 5 audited .*: fund 55\.00, deducted 8\.00, approved 47\.00/),
      '  line 2  换药（中）  −8.00 of 30.00  A01 超出医疗服务价格标准收费',
      '  earlier: v1 deducted 15.50, v2 deducted 8.00, v3 deducted 7.00, v4 deducted 6.00',
    ]);
  });

  it('lists a settlement 31 days old without a result — not at 30 days, not one with a result', async () => {
    const withResult = (await missing()).length;
    expect(withResult).toBe(0);
    const late = await settleVisit();
    await request(insurer).put(`/sandbox/audits/${late.setlId}`).send({ hold: true }).expect(200);
    await runJob();

    clock.offsetMs += 30 * DAY;
    await runJob(); // asks: the insurer still has no result
    expect(await missing()).toEqual([]); // its 30th day: still in time
    const onDueDay = await auditOf(late.id);
    expect(onDueDay).toMatchObject({ state: 'pending', overdue: false, checks: 1 });

    clock.offsetMs += DAY;
    const listed = await missing();
    expect(listed).toEqual([
      expect.objectContaining({ settlementId: late.id, setlId: late.setlId, daysSinceSettlement: 31, checks: 1 }),
    ]);
    expect(await auditOf(late.id)).toMatchObject({ overdue: true, result: null });
    // The same list at the command line (exit 1: something is missing).
    const lines: string[] = [];
    const out = { log: (l: string) => lines.push(l), error: (l: string) => lines.push(`ERR ${l}`) };
    const cli = (sub: string, rest: string[], options: object) =>
      settlementsCommand(t.config, sub, rest, { url: base, key, ...options }, 'it', out, {});
    expect(await cli('audits', [], { missing: true })).toBe(1);
    expect(lines.join('\n')).toContain(`${late.id}  ${late.setlId}`);
    expect(lines.join('\n')).toContain('31 days  asked 1×');

    // The insurer answers at last: no longer missing.
    await request(insurer).put(`/sandbox/audits/${late.setlId}`).send({ deductions: [] }).expect(200);
    await runJob();
    expect(await missing()).toEqual([]);
    expect(await auditOf(late.id)).toMatchObject({ state: 'done', result: { version: 1, deductedFen: 0 } });
    lines.length = 0;
    expect(await cli('audits', [], { missing: true })).toBe(0);
    expect(await cli('audit', [late.id], {})).toBe(0);
    expect(lines.join('\n')).toContain('version 1 audited');
  });

  it('the insurer unreachable: the problem kept on the watch and the duty, asked again an hour later', async () => {
    const s = await settleVisit();
    await runJob();
    clock.offsetMs += DAY + 60_000;
    await request(insurer).put('/sandbox/faults').send({ errorRate: 1 }).expect(200);
    try {
      await runJob();
    } finally {
      await request(insurer).delete('/sandbox/faults').expect(200);
    }
    const unreached = await auditOf(s.id);
    expect(unreached).toMatchObject({ state: 'pending', checks: 1, result: null });
    expect(unreached.lastError).toMatch(/^insurer not reached/);
    expect(Date.parse(unreached.nextCheckAt as string) - clock.now().getTime()).toBeLessThanOrEqual(3_600_000);
    expect(await duty(s.id)).toMatchObject({ state: 'open', attempts: 1, lastError: unreached.lastError });
    clock.offsetMs += 3_600_000;
    await runJob();
    expect(await auditOf(s.id)).toMatchObject({ state: 'done', checks: 2, lastError: null });
  });

  it('an answer that does not hold together, or a refusal, records nothing; two instances never ask the same thing at once', async () => {
    const s = await settleVisit();
    await runJob();
    clock.offsetMs += DAY + 60_000;
    /** The service as the module wires it, with the insurer's answers scripted at its boundary (UpstreamCalls). */
    const answers: Array<() => Promise<unknown>> = [];
    let asked = 0;
    const calls = {
      call: async () => {
        asked += 1;
        const next = answers.shift();
        if (!next) {
          throw new Error('no scripted answer');
        }
        return { output: await next(), msgid: `H64010600001${String(asked).padStart(18, '0')}`, warning: null };
      },
    } as unknown as UpstreamCalls;
    const service = () =>
      new AuditResultsService(
        t.app.get(Transactions),
        t.app.get(AuditResultsRepository),
        t.app.get(ObligationsService),
        calls,
        clock,
        t.app.get(GatewayConfig),
        t.app.get(AuditService),
      );
    const done = {
      setl_id: s.setlId,
      audit_state: 'done',
      audit_ver: 1,
      latest_audit_ver: 1,
      audit_time: '2026-12-01 09:00:00',
      fund_pay_sumamt: 55,
      dedu_sumamt: 10,
      fund_aprv_amt: 45,
      deductions: [
        {
          feedetl_sn: '2',
          med_list_codg: '001203000010000',
          item_name: '换药（中）',
          det_item_fee_sumamt: 30,
          fund_pay_amt: 30,
          dedu_amt: 9.99, // does not add up to dedu_sumamt
          dedu_rea_code: 'A01',
          dedu_rea: '超出医疗服务价格标准收费',
        },
      ],
    };
    answers.push(async () => done);
    await service().askDue();
    const garbled = await auditOf(s.id);
    expect(garbled).toMatchObject({ state: 'pending', result: null, checks: 1 });
    expect(garbled.lastError).toContain('the deductions add up to 999 fen, dedu_sumamt says 1000');

    clock.offsetMs += 3_600_000;
    answers.push(() => Promise.reject(new UpstreamRejectedError(-1, '结算ID setl_id 不存在')));
    await service().askDue();
    expect(await auditOf(s.id)).toMatchObject({
      result: null,
      checks: 2,
      lastError: '3501 refused: 结算ID setl_id 不存在',
    });

    // Two instances' runs at once: the watch is claimed by one, asked once.
    clock.offsetMs += 2 * DAY;
    asked = 0;
    answers.push(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { ...done, deductions: [{ ...done.deductions[0], dedu_amt: 10 }] };
    });
    const [a, b] = await Promise.all([service().askDue(), service().askDue()]);
    expect(asked).toBe(1);
    expect(a.asked + b.asked).toBe(1);
    expect(await auditOf(s.id)).toMatchObject({ state: 'done', result: { version: 1, deductedFen: 1000 } });
  });

  it('a cancelled settlement is no longer asked about, and its duty is waived', async () => {
    const s = await settleVisit();
    await runJob();
    expect(await duty(s.id)).toMatchObject({ state: 'open' });
    await send('post', `/api/v1/settlement/settlements/${s.id}/cancel`, { reason: '患者要求', staff: '张三' }).expect(
      202,
    );
    for (let i = 0; i < 100; i++) {
      const r = (await send('get', `/api/v1/settlement/settlements/${s.id}`).expect(200)).body as { status: string };
      if (r.status === 'cancelled') {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await runJob();
    expect(await auditOf(s.id)).toMatchObject({ state: 'closed', nextCheckAt: null });
    expect(await duty(s.id)).toMatchObject({ state: 'waived' });
    expect(
      (await send('post', `/api/v1/settlement/settlements/${s.id}/audit-result/check`).expect(409)).body,
    ).toMatchObject({ code: 'AUDIT_NOT_SETTLED' });
    expect(
      (
        await send('get', '/api/v1/settlement/settlements/00000000-0000-7000-8000-000000000000/audit-result').expect(
          404,
        )
      ).body,
    ).toMatchObject({ code: 'AUDIT_SETTLEMENT_NOT_FOUND' });
  });
});

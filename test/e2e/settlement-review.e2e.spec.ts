import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SEED } from '../../src/sandbox/seed-people';
import { INFNO } from '../../src/upstream/protocol/transactions';
import { UpstreamCalls } from '../../src/upstream/upstream-calls';
import { cli, hospitalYaml } from '../support/cli-run';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp, listenLocally } from '../support/e2e-app';
import { matchTokenByQr } from '../support/match-token';
import { dressingLine, outpatientVisit } from '../support/settlement-visits';

jest.setTimeout(120_000);

const WORKER = SEED.activeFingers;
const MED = 'XJ01CAA040A001010100001';
const MAPPING = [
  '院内项目编码,院内项目名称,项目类别,医保目录编码',
  `YP001,阿莫西林胶囊,药品,${MED}`,
  'ZL001,换药（中）,诊疗,001203000010000',
].join('\r\n');
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;
type Settlement = {
  id: string;
  visitId: string;
  status: string;
  setlId: string | null;
  msgid: string;
  problem: string | null;
  split: { totalFen: number; fundFen: number; selfPayFen: number } | null;
  cancelRequested: { at: string; state: string } | null;
};

/**
 * Issue 13's way out of needs-review and the cancel of a settlement whose outcome is unknown, over
 * HTTP with the sandbox insurer and the real dispatcher: its garbleSplit fault answers a 2207 with a
 * split that does not add up (needs-review) while it stores the right one, which IT's requery (9201)
 * finds; IT resolves another by hand; a cancel sent while the insurer answers 503 is carried out
 * (2208) once the insurer settles. The CLI does the same through the running gateway.
 */
describe.each(availableDatabases())('needs-review and cancelling the unknown over HTTP on %s', (kind: DbKind) => {
  let t: TestApp;
  let base: string;
  let insurer: string;
  let desk: string;
  let it_: string;
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'gw-review-e2e-'));

  beforeAll(async () => {
    const db = await testDatabase(kind, dir);
    cleanup = db.cleanup;
    t = await startTestApp({
      database: db.database,
      sandboxInsurer: { enabled: true, port: 0 },
      settlement: { waitForOutcomeMs: 1500 },
      upstream: { dispatcher: { backoffBaseMs: 100, backoffMaxMs: 400 } },
    });
    ({ base, insurer } = await listenLocally(t));
    desk = await t.token(['settlement', 'trace-codes', 'identity']);
    it_ = await t.token(['admin']);
    ds = t.app.get(DataSource);
    await send('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);
  });
  afterAll(async () => {
    await request(insurer).delete('/sandbox/faults');
    await t?.close();
    await cleanup?.();
  });

  const send = (method: 'post' | 'put' | 'get', path: string, body?: object, key = desk) => {
    const r = request(base)[method](path).set('authorization', `Bearer ${key}`);
    return body ? r.send(body) : r;
  };
  const faults = (patch: object) => request(insurer).put('/sandbox/faults').send(patch).expect(200);
  const line = dressingLine;
  /** An outpatient visit: one drug line with its two boxes scanned, two service lines (one not injury related). */
  const readyToSettle = async (visitId: string, first: number): Promise<string> => {
    await send('post', '/api/v1/settlement/visits', outpatientVisit(visitId, WORKER.psn_no)).expect(201);
    await send('put', `/api/v1/settlement/visits/${visitId}/lines`, {
      lines: [
        line('1', {
          hisItemCode: 'YP001',
          itemName: '阿莫西林胶囊',
          kind: 'drug',
          count: '2',
          unitPriceFen: 1250,
          amountFen: 2500,
          daysOfSupply: 7,
        }),
        line('2'),
        line('3', { injuryRelated: false, amountFen: 2000, unitPriceFen: 2000 }),
      ],
    }).expect(200);
    await send('put', `/api/v1/trace-codes/visits/${visitId}/lines`, {
      lines: [{ lineNo: '1', medListCode: MED, drugName: '阿莫西林胶囊', quantity: 2 }],
    }).expect(200);
    for (const n of [first, first + 1]) {
      await send('post', '/api/v1/trace-codes/scans', { visitId, lineNo: '1', text: code(n) }).expect(201);
    }
    return matchTokenByQr(send, insurer, WORKER, visitId);
  };
  const settle = (visitId: string, token: string) =>
    send('post', `/api/v1/settlement/visits/${visitId}/settlement`).set('x-verification-token', token);
  const get = async (id: string): Promise<Settlement> =>
    (await send('get', `/api/v1/settlement/settlements/${id}`).expect(200)).body as Settlement;
  const review = (id: string, body: object, key = it_) =>
    send('post', `/api/v1/settlement/settlements/${id}/review`, body, key);
  const visitState = async (visitId: string): Promise<string> =>
    ((await send('get', `/api/v1/settlement/visits/${visitId}`).expect(200)).body as { state: string }).state;
  const uploadsOf = (visitId: string) =>
    ds.query<{ upload: string }[]>(`SELECT upload FROM trace_code_use WHERE visit_id = '${visitId}' ORDER BY code`);
  const atInsurer = async (infno: string): Promise<number> =>
    ((await request(insurer).get('/sandbox/stats').expect(200)).body as { byInfno: Record<string, number> }).byInfno[
      infno
    ] ?? 0;
  const eventually = async <T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await read();
      if (ok(v)) {
        return v;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('timed out');
  };
  /** Settles with the insurer's reply garbled on its way: the settlement lands in needs-review. */
  const garbled = async (visitId: string, first: number): Promise<Settlement> => {
    const token = await readyToSettle(visitId, first);
    await faults({ garbleSplit: 1 });
    try {
      const answered = (await settle(visitId, token).expect(202)).body as Settlement;
      const reviewed = await eventually(
        () => get(answered.id),
        (s) => s.status !== 'pending',
      );
      expect(reviewed).toMatchObject({ status: 'needs-review', setlId: null, split: null });
      expect(reviewed.problem).toMatch(/fund .* do not add up/);
      return reviewed;
    } finally {
      await request(insurer).delete('/sandbox/faults').expect(200);
    }
  };

  it('requery: 9201 finds the insurer’s stored reply, it passes the checks → settled, the trace codes uploaded', async () => {
    const reviewed = await garbled('MZ20261125R1', 5001);
    expect(await visitState('MZ20261125R1')).toBe('settling');
    const listed = (await send('get', '/api/v1/settlement/settlements?status=needs-review').expect(200))
      .body as Settlement[];
    expect(listed.map((s) => s.id)).toEqual([reviewed.id]);
    const health = (await request(base).get('/health').expect(200)).body as {
      components: { settlement: { needsReview: number } };
    };
    expect(health.components.settlement.needsReview).toBe(1);

    // A desk's key (settlement scope) may not review: IT's admin key may.
    expect((await review(reviewed.id, { action: 'requery', staff: '王工' }, desk).expect(403)).body).toMatchObject({
      code: 'AUTH_SCOPE_MISSING',
    });
    expect((await review(reviewed.id, { action: 'resolve', staff: '王工' }).expect(400)).body).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const queries = await atInsurer('9201');
    const settled = (await review(reviewed.id, { action: 'requery', staff: '王工' }).expect(200)).body as Settlement;
    expect(await atInsurer('9201')).toBe(queries + 1);
    expect(settled).toMatchObject({
      status: 'settled',
      setlId: expect.stringMatching(/^ST/),
      problem: null,
      split: { totalFen: 7500, fundFen: 5500, selfPayFen: 2000 },
    });
    expect(await visitState('MZ20261125R1')).toBe('settled');
    expect(await uploadsOf('MZ20261125R1')).toEqual([{ upload: 'uploaded' }, { upload: 'uploaded' }]);
    expect(
      (await send('get', `/api/v1/settlement/settlements/${reviewed.id}/statement.pdf`).expect(200)).headers[
        'content-type'
      ],
    ).toMatch(/pdf/);
    expect((await review(reviewed.id, { action: 'requery', staff: '王工' }).expect(409)).body).toMatchObject({
      code: 'SETTLEMENT_NOT_IN_REVIEW',
    });
    const audit = await ds.query<{ actor_id: string; details: string }[]>(
      `SELECT actor_id, details FROM audit_log WHERE action = 'settlement.review'`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toContain('王工');
  });

  it('resolve not-settled (IT had the insurer reverse it): rejected, the visit open, and it settles anew', async () => {
    const reviewed = await garbled('MZ20261125R2', 6001);
    // IT has the insurer reverse the settlement it holds (2601), then records it as not settled.
    await t.app
      .get(UpstreamCalls)
      .call(INFNO.reversal, { psn_no: WORKER.psn_no, omsgid: reviewed.msgid, oinfno: '2207' });
    const rejected = (
      await review(reviewed.id, {
        action: 'resolve',
        outcome: 'not-settled',
        staff: '王工',
        note: '经办机构已冲正（2601），按未结算处理',
        evidence: '工单 2026-119',
      }).expect(200)
    ).body as Settlement;
    expect(rejected).toMatchObject({ status: 'rejected', problem: expect.stringContaining('经办机构已冲正') });
    expect(await visitState('MZ20261125R2')).toBe('open');
    const token = await matchTokenByQr(send, insurer, WORKER, 'MZ20261125R2');
    const again = (await settle('MZ20261125R2', token).expect(201)).body as Settlement;
    expect(again).toMatchObject({ status: 'settled', setlId: expect.stringMatching(/^ST/) });
    expect(again.id).not.toBe(reviewed.id);
  });

  it('cancel while the insurer answers 503: 202 with the request; once it settles, the 2208 goes out and it ends cancelled, trace codes freed', async () => {
    const token = await readyToSettle('MZ20261125R3', 7001);
    await faults({ errorRate: 1 });
    let id = '';
    try {
      const pending = (await settle('MZ20261125R3', token).expect(202)).body as Settlement;
      id = pending.id;
      const requested = (
        await send('post', `/api/v1/settlement/settlements/${id}/cancel`, { reason: '患者要求', staff: '张三' }).expect(
          202,
        )
      ).body as Settlement;
      expect(requested).toMatchObject({ status: 'pending', cancelRequested: { state: 'waiting' } });
      const twice = await send('post', `/api/v1/settlement/settlements/${id}/cancel`, {
        reason: '患者要求',
        staff: '张三',
      }).expect(409);
      expect(twice.body).toMatchObject({
        code: 'SETTLEMENT_NOT_CANCELLABLE',
        message: expect.stringMatching(/已申请撤销/),
      });
    } finally {
      await request(insurer).delete('/sandbox/faults').expect(200);
    }
    const cancelled = await eventually(
      () => get(id),
      (s) => s.status === 'cancelled',
    );
    expect(cancelled).toMatchObject({ setlId: expect.stringMatching(/^ST/), cancelRequested: { state: 'sent' } });
    expect(await atInsurer('2208')).toBe(1);
    expect(await visitState('MZ20261125R3')).toBe('open');
    expect(await uploadsOf('MZ20261125R3')).toEqual([{ upload: 'pending' }, { upload: 'pending' }]);
  });

  it('the CLI lists needs-review and resolves one as settled with the insurer’s figures, through the running gateway', async () => {
    const reviewed = await garbled('MZ20261125R4', 8001);
    const stored = (await request(insurer).get(`/sandbox/messages/${reviewed.msgid}`).expect(200)).body as {
      reply: { output: { setl_id: string; setl_time: string } };
    };
    const config = hospitalYaml(mkdtempSync(join(tmpdir(), 'gw-review-cli-')));
    const env = { GATEWAY_API_KEY: it_ };
    const listed = await cli(
      ['settlements', 'list', '--status', 'needs-review', '--config', config, '--url', base],
      env,
    );
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.out).toContain(`${reviewed.id}  MZ20261125R4  needs-review`);
    const args = ['settlements', 'review', reviewed.id, '--config', config, '--url', base];
    const confirm = [
      '--resolve',
      'settled',
      '--staff',
      '王工',
      '--note',
      '医保经办平台查询：已结算',
      '--setl-id',
      stored.reply.output.setl_id,
      '--setl-time',
      stored.reply.output.setl_time,
      '--fund-fen',
      '5500',
      '--self-pay-fen',
      '2000',
    ];
    const unsplit = await cli([...args, ...confirm], env);
    expect(unsplit).toMatchObject({ code: 2, err: expect.stringContaining('SETTLEMENT_REVIEW_SPLIT_INVALID') });
    const lines = ['--line', '1:2500:0', '--line', '2:3000:0', '--line', '3:0:2000'];
    const done = await cli([...args, ...confirm, ...lines], env);
    expect(done).toMatchObject({ code: 0, out: expect.stringContaining(`settled  msgid ${reviewed.msgid}`) });
    expect(await get(reviewed.id)).toMatchObject({
      status: 'settled',
      setlId: stored.reply.output.setl_id,
      split: { totalFen: 7500, fundFen: 5500, selfPayFen: 2000 },
    });
    expect(await visitState('MZ20261125R4')).toBe('settled');
    const none = await cli(['settlements', 'list', '--status', 'needs-review', '--config', config, '--url', base], env);
    expect(none.out).toBe('no settlements in needs-review\n');
  });
});

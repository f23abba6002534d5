import request from 'supertest';
import { DataSource } from 'typeorm';
import { SEED } from '../../src/sandbox/seed-people';
import { startTestApp, type TestApp, listenLocally } from '../support/e2e-app';
import { matchTokenByCards, matchTokenByQr } from '../support/match-token';
import { poppler, popplerAvailable } from '../support/poppler';
import { connectEvents } from '../support/ws-client';
import { dressingLine, outpatientVisit } from '../support/settlement-visits';

jest.setTimeout(90_000);

const WORKER = SEED.activeFingers;
const VISIT = 'MZ20261125S1';
const OTHER = 'MZ20261125S2';
const THIRD = 'MZ20261125S3';
const DESK = '门诊收费1';
const REGISTRATION = { desk: '门诊挂号1', card: 'reg-card', idCard: 'reg-idcard' };

interface HealthBody {
  components: Record<string, { status: string; detail?: string; unknown?: number; needsReview?: number }>;
}
const MED = 'XJ01CAA040A001010100001';
const MAPPING = [
  '院内项目编码,院内项目名称,项目类别,医保目录编码',
  `YP001,阿莫西林胶囊,药品,${MED}`,
  'ZL001,换药（中）,诊疗,001203000010000',
].join('\r\n');
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;
type Settlement = {
  id: string;
  status: string;
  setlId: string | null;
  msgid: string;
  split: { totalFen: number; fundFen: number; selfPayFen: number } | null;
  deskCollectsFen: number | null;
};

/**
 * A whole outpatient visit over HTTP with the sandbox insurer and the real dispatcher: MATCH token,
 * pharmacy scans, trial (2206), settlement (2207) with its statement PDF and trace codes marked
 * uploaded, refusals without the right token (nothing queued or sent), cancellation (2208) and
 * settling again.
 */
describe('settling a visit over HTTP', () => {
  let t: TestApp;
  let base: string;
  let insurer: string;
  let key: string;
  let ds: DataSource;

  beforeAll(async () => {
    t = await startTestApp({
      sandboxInsurer: { enabled: true, port: 0 },
      settlement: { waitForOutcomeMs: 5000 },
      devices: [
        { id: REGISTRATION.card, kind: 'ssse-card', transport: 'simulated', desk: REGISTRATION.desk },
        { id: REGISTRATION.idCard, kind: 'id-card', transport: 'simulated', desk: REGISTRATION.desk },
      ],
    });
    ({ base, insurer } = await listenLocally(t));
    key = await t.token(['settlement', 'trace-codes', 'identity']);
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (method: 'post' | 'put' | 'get', path: string, body?: object) => {
    const r = request(base)[method](path).set('authorization', `Bearer ${key}`);
    return body ? r.send(body) : r;
  };
  const line = dressingLine;
  const openVisit = async (visitId: string, first: number): Promise<void> => {
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
  };
  const matchToken = (visitId: string): Promise<string> => matchTokenByQr(send, insurer, WORKER, visitId);
  const sandboxCount = async (infno: string): Promise<number> =>
    ((await request(insurer).get('/sandbox/stats').expect(200)).body as { byInfno: Record<string, number> }).byInfno[
      infno
    ] ?? 0;
  const queued = async (infno: string): Promise<number> =>
    Number(
      (await ds.query<{ n: string | number }[]>(`SELECT COUNT(*) AS n FROM outbox_message WHERE infno = '${infno}'`))[0]
        .n,
    );
  const settle = (visitId: string, token: string | undefined, idempotencyKey?: string) => {
    let r = send('post', `/api/v1/settlement/visits/${visitId}/settlement`);
    if (token) {
      r = r.set('x-verification-token', token);
    }
    return idempotencyKey ? r.set('idempotency-key', idempotencyKey) : r;
  };
  const uploadsOf = (visitId: string) =>
    ds.query<{ upload: string; upload_ref: string | null }[]>(
      `SELECT upload, upload_ref FROM trace_code_use WHERE visit_id = '${visitId}' ORDER BY code`,
    );
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

  it('card + ID card → MATCH, pre-audit, trial, then settle (201 with the split), statement PDF, trace codes uploaded; cancel and settle again', async () => {
    await send('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);
    await openVisit(VISIT, 1001);
    await openVisit(OTHER, 2001);
    // The registration desk's readers: the worker's social-security card and ID card → MATCH.
    const token = await matchTokenByCards(send, base, REGISTRATION, 'activeFingers', VISIT);
    const otherToken = await matchToken(OTHER);

    // No token, or another visit's: refused before anything is queued or sent.
    expect((await settle(VISIT, undefined).expect(403)).body).toMatchObject({ code: 'TOKEN_MISSING' });
    expect((await settle(VISIT, otherToken).expect(403)).body).toMatchObject({ code: 'TOKEN_WRONG_VISIT' });
    expect((await settle(VISIT, 'gvt1.forged').expect(403)).body.code).toMatch(/^TOKEN_/);
    expect(await queued('2207')).toBe(0);
    expect(await sandboxCount('2207')).toBe(0);

    // The local pre-audit: the drug and the dressing to the fund, the line not related to the injury self-pay.
    const audit = (
      await send('post', `/api/v1/settlement/visits/${VISIT}/pre-audit`, {})
        .set('x-verification-token', token)
        .expect(200)
    ).body as {
      verdict: { canSettle: boolean };
      personCheck: { done: boolean; source: string };
      totals: { fundFen: number; selfPayFen: number };
      lines: { lineId: string; disposition: string; findings: { code: string }[] }[];
    };
    expect(audit.verdict.canSettle).toBe(true);
    expect(audit.personCheck).toEqual({ done: true, source: 'insurer' });
    expect(audit.lines.map((l) => l.disposition)).toEqual(['fund', 'fund', 'selfPay']);
    expect(audit.totals).toMatchObject({ fundFen: 5500, selfPayFen: 2000 });
    expect(audit.lines.find((l) => l.lineId === '3')?.findings.map((f) => f.code)).toContain('NOT_INJURY_RELATED');

    const trial = (
      await send('post', `/api/v1/settlement/visits/${VISIT}/settlement/trial`)
        .set('x-verification-token', token)
        .expect(200)
    ).body as { split: { totalFen: number; fundFen: number; selfPayFen: number }; deskCollectsFen: number };
    expect(trial.split).toMatchObject({ totalFen: 7500, fundFen: 5500, selfPayFen: 2000 });
    expect(trial.deskCollectsFen).toBe(2000);
    expect(await sandboxCount('2206')).toBe(1);
    expect(await queued('2207')).toBe(0);

    const settled = (await settle(VISIT, token, 'desk-1-0001').expect(201)).body as Settlement;
    expect(settled).toMatchObject({
      status: 'settled',
      setlId: expect.stringMatching(/^ST/),
      split: { totalFen: 7500, fundFen: 5500, selfPayFen: 2000 },
      deskCollectsFen: 2000,
    });
    // The same key again: the same settlement, nothing sent again.
    expect(((await settle(VISIT, token, 'desk-1-0001').expect(201)).body as Settlement).id).toBe(settled.id);
    expect(await sandboxCount('2207')).toBe(1);
    expect((await send('get', `/api/v1/settlement/visits/${VISIT}`).expect(200)).body).toMatchObject({
      state: 'settled',
    });
    expect(await uploadsOf(VISIT)).toEqual([
      { upload: 'uploaded', upload_ref: settled.setlId },
      { upload: 'uploaded', upload_ref: settled.setlId },
    ]);

    const pdf = await send('get', `/api/v1/settlement/settlements/${settled.id}/statement.pdf`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(pdf.headers['content-type']).toMatch(/application\/pdf/);
    const bytes = pdf.body as Buffer;
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    if (popplerAvailable()) {
      const text = poppler('pdftotext', ['-layout', '-', '-'], bytes).toString('utf8');
      expect(text).toContain(settled.setlId as string);
      expect(text).toContain('75.00');
      expect(text).toContain('55.00');
      expect(text).toContain('20.00');
    }

    // Cancel: 2208 through the outbox, the visit open again; twice is refused.
    const cancelling = (
      await send('post', `/api/v1/settlement/settlements/${settled.id}/cancel`, {
        reason: '患者要求',
        staff: '张三',
      }).expect(202)
    ).body as Settlement;
    expect(cancelling.status).toBe('cancelling');
    const again = await send('post', `/api/v1/settlement/settlements/${settled.id}/cancel`, {
      reason: '患者要求',
      staff: '张三',
    }).expect(409);
    expect(again.body).toMatchObject({ code: 'SETTLEMENT_NOT_CANCELLABLE' });
    await eventually(
      async () => (await send('get', `/api/v1/settlement/settlements/${settled.id}`).expect(200)).body as Settlement,
      (s) => s.status === 'cancelled',
    );
    expect(
      (
        await send('post', `/api/v1/settlement/settlements/${settled.id}/cancel`, { reason: 'x', staff: 'y' }).expect(
          409,
        )
      ).body,
    ).toMatchObject({ code: 'SETTLEMENT_NOT_CANCELLABLE', message: expect.stringMatching(/已撤销/) });
    expect((await send('get', `/api/v1/settlement/visits/${VISIT}`).expect(200)).body).toMatchObject({
      state: 'open',
    });
    // The cancelled settlement's trace codes are pending again, to be carried by the next one.
    expect(await uploadsOf(VISIT)).toEqual([
      { upload: 'pending', upload_ref: null },
      { upload: 'pending', upload_ref: null },
    ]);

    // The visit settles again (a new key), and both settlements are listed.
    const second = (await settle(VISIT, token, 'desk-1-0002').expect(201)).body as Settlement;
    expect(second).toMatchObject({ status: 'settled' });
    expect(second.id).not.toBe(settled.id);
    const listed = (await send('get', `/api/v1/settlement/visits/${VISIT}/settlements`).expect(200))
      .body as Settlement[];
    expect(listed.map((s) => s.status)).toEqual(['settled', 'cancelled']);
    expect(await uploadsOf(VISIT)).toEqual([
      { upload: 'uploaded', upload_ref: second.setlId },
      { upload: 'uploaded', upload_ref: second.setlId },
    ]);
    expect(second.setlId).not.toBe(settled.setlId);
  });

  it('answers 202 with the settlement’s address while the insurer answers 503; it settles once the insurer is back', async () => {
    const token = await matchToken(OTHER);
    await request(insurer).put('/sandbox/faults').send({ errorRate: 1 }).expect(200);
    try {
      const started = Date.now();
      const pending = await settle(OTHER, token).expect(202);
      expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
      const body = pending.body as Settlement;
      expect(body.status).toBe('pending');
      expect(pending.headers.location).toBe(`/api/v1/settlement/settlements/${body.id}`);
      expect((await send('get', pending.headers.location).expect(200)).body).toMatchObject({
        id: body.id,
        status: 'pending',
      });
      // (A cancel now would be recorded as a cancel request: settlement-review.e2e.spec.ts.)
      // Pending longer than waitForOutcomeMs: /health says settlement is degraded, with the count.
      const health = async () => (await request(base).get('/health').expect(200)).body as HealthBody;
      const degraded = await eventually(health, (h) => h.components.settlement.status === 'degraded');
      expect(degraded.components.settlement).toMatchObject({
        unknown: 1,
        needsReview: 0,
        detail: expect.stringContaining('outcome unknown'),
      });
      // Retried without a key while it is pending: the same settlement.
      await request(insurer).delete('/sandbox/faults').expect(200);
      const retried = (await settle(OTHER, token).expect((r) => expect([201, 202]).toContain(r.status)))
        .body as Settlement;
      expect(retried.id).toBe(body.id);
      const done = await eventually(
        async () => (await send('get', `/api/v1/settlement/settlements/${body.id}`).expect(200)).body as Settlement,
        (s) => s.status === 'settled',
      );
      expect(done.setlId).toMatch(/^ST/);
      expect((await health()).components.settlement).toMatchObject({ status: 'up', unknown: 0, needsReview: 0 });
    } finally {
      await request(insurer).delete('/sandbox/faults');
    }
  });
  it('pushes every state change of a settlement to the desk that asked for it: pending, settled, cancelling, cancelled', async () => {
    await openVisit(THIRD, 3001);
    const token = await matchToken(THIRD);
    const ws = await connectEvents(
      `${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(DESK)}`,
      {
        headers: { authorization: `Bearer ${key}` },
      },
    );
    try {
      const settled = (await settle(THIRD, token, 'desk-3-0001').send({ desk: DESK }).expect(201)).body as Settlement;
      expect(settled).toMatchObject({ status: 'settled', desk: DESK });
      const ofThird = () => ws.messages.filter((m) => m.type === 'settlement' && m.visitId === THIRD);
      await ws.waitFor((m) => m.type === 'settlement' && m.status === 'settled', 'settled event');
      expect(ofThird().map((m) => m.status)).toEqual(['pending', 'settled']);
      expect(ofThird()[0]).toMatchObject({
        deviceId: 'settlement',
        desk: DESK,
        settlementId: settled.id,
        setlId: null,
        amounts: null,
        message: expect.stringMatching(/等待结果/),
      });
      expect(ofThird()[1]).toMatchObject({
        settlementId: settled.id,
        setlId: settled.setlId,
        amounts: { totalFen: 7500, fundFen: 5500, selfPayFen: 2000, deskCollectsFen: 2000 },
        message: expect.stringMatching(/结算成功.*收取 20\.00 元/),
        at: expect.any(String),
      });

      await send('post', `/api/v1/settlement/settlements/${settled.id}/cancel`, {
        reason: '患者要求',
        staff: '张三',
      }).expect(202);
      await ws.waitFor((m) => m.type === 'settlement' && m.status === 'cancelled', 'cancelled event');
      expect(ofThird().map((m) => m.status)).toEqual(['pending', 'settled', 'cancelling', 'cancelled']);
      expect(ofThird()[3]).toMatchObject({ setlId: settled.setlId, message: expect.stringMatching(/已撤销/) });
      // Never the worker's name, ID number or person number.
      const wire = JSON.stringify(ofThird());
      for (const secret of [WORKER.psn_name, WORKER.certno, WORKER.psn_no]) {
        expect(wire).not.toContain(secret);
      }
    } finally {
      await ws.close();
    }
  });

  it('/metrics counts the outcomes by visit kind and times request → outcome', async () => {
    const text = (await request(base).get('/metrics').expect(200)).text;
    // Settled: twice in the first test, once in each of the others; cancelled: once in the first and the third.
    expect(text).toMatch(/^gateway_settlements_total\{kind="outpatient",outcome="settled"\} 4$/m);
    expect(text).toMatch(/^gateway_settlements_total\{kind="outpatient",outcome="cancelled"\} 2$/m);
    expect(text).toMatch(/^gateway_settlement_outcome_seconds_count\{kind="outpatient"\} 4$/m);
    expect(text).toMatch(/^gateway_settlement_outcome_seconds_bucket\{le="\+Inf",kind="outpatient"\} 4$/m);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { SandboxStats } from '../../src/sandbox/message-store';
import { SEED } from '../../src/sandbox/seed-people';
import { OutboxService } from '../../src/upstream/outbox/outbox.service';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp, listenLocally } from '../support/e2e-app';
import { matchTokenByQr } from '../support/match-token';
import { connectEvents } from '../support/ws-client';

jest.setTimeout(120_000);

/** 买买提·艾力: injured 2026-01-09, determination made 2026-03-18, signed with the sandbox hospital. */
const WORKER = SEED.dotName;
const DESK = '门诊收费2';
const MAPPING = ['院内项目编码,院内项目名称,项目类别,医保目录编码', 'ZL001,清创缝合术,诊疗,001203000010000'].join(
  '\r\n',
);

type Split = { totalFen: number; fundFen: number; selfPayFen: number; refundFen: number | null };
type Settlement = {
  id: string;
  visitId: string;
  psnNo: string;
  status: string;
  setlId: string | null;
  msgid: string;
  split: Split | null;
  deskCollectsFen: number | null;
  conversion: boolean;
  refundFen: number | null;
};
type Candidate = {
  visitId: string;
  psnNo: string | null;
  state: string;
  lineSumFen: number;
  paidFen: number;
  receipts: Array<{ receiptNo: string; amountFen: number; paidDate: string }>;
  conversion: string;
  reason: { code: string; message: string } | null;
  settlement: Settlement | null;
};
type Listing = {
  determination: { status: string; injuryDate: string; determinationDate: string };
  convertible: number;
  message: string;
  visits: Candidate[];
};

/**
 * 自费转工伤 over HTTP with the sandbox insurer and the real dispatcher, on each database: HIS records
 * the visits the worker paid before the determination with their receipts; with the worker's MATCH
 * of today the desk lists them (convertible or not, with the reason) and converts one through the
 * same settle path (2207 with cvs_flag "1"): 201 with the split, the refund (the fund's part) and
 * nothing to collect; the visit before the injury date is refused locally (the insurer gets
 * nothing); receipts that do not add up to the lines are refused and nothing is stored.
 */
describe.each(availableDatabases())('自费转工伤 over HTTP on %s', (kind: DbKind) => {
  let t: TestApp;
  let base: string;
  let insurer: string;
  let key: string;
  let ds: DataSource;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await testDatabase(kind, mkdtempSync(join(tmpdir(), 'gw-conversion-e2e-')));
    cleanup = db.cleanup;
    t = await startTestApp({
      database: db.database,
      sandboxInsurer: { enabled: true, port: 0 },
      settlement: { waitForOutcomeMs: 5000 },
    });
    ({ base, insurer } = await listenLocally(t));
    key = await t.token(['settlement', 'identity']);
    ds = t.app.get(DataSource);
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
  const line = (lineId: string, amountFen: number, serviceDate: string, over: Record<string, unknown> = {}) => ({
    lineId,
    hisItemCode: 'ZL001',
    itemName: '清创缝合术',
    kind: 'service',
    count: '1',
    unitPriceFen: amountFen,
    amountFen,
    serviceDate,
    injuryRelated: true,
    ...over,
  });
  /** A self-paid outpatient visit as HIS records it: no psnNo, the worker's ID number and name. */
  const selfPaid = (visitId: string, visitDate: string, lines: object[], receipts: object[]) => ({
    visitId,
    kind: 'outpatient',
    visitDate,
    dept: '骨科',
    diagnosisCode: 'S82.201',
    diagnosisName: '胫骨干骨折',
    person: { idNumber: WORKER.certno, name: WORKER.psn_name },
    lines,
    receipts,
  });
  const stats = async () => (await request(insurer).get('/sandbox/stats').expect(200)).body as SandboxStats;
  const count = async (sql: string): Promise<number> => Number((await ds.query<{ n: string | number }[]>(sql))[0].n);
  const listing = async (token: string): Promise<Listing> =>
    (await send('get', '/api/v1/settlement/conversions').set('x-verification-token', token).expect(200))
      .body as Listing;
  const convert = (visitId: string, token: string, idempotencyKey?: string) => {
    const r = send('post', `/api/v1/settlement/visits/${visitId}/conversion`).set('x-verification-token', token);
    return idempotencyKey ? r.set('idempotency-key', idempotencyKey) : r;
  };

  it('refuses receipts that do not add up to the lines, and stores nothing', async () => {
    const bad = await send(
      'post',
      '/api/v1/settlement/self-paid-visits',
      selfPaid(
        'MZCVS-BAD',
        '2026-02-12',
        [line('1', 32000, '2026-02-12')],
        [{ receiptNo: 'FP-B1', amountFen: 30000, paidDate: '2026-02-12' }],
      ),
    ).expect(422);
    expect(bad.body).toMatchObject({
      code: 'SETTLEMENT_RECEIPTS_MISMATCH',
      message: expect.stringMatching(/收据合计 300\.00元 与费用明细合计 320\.00元 不符/),
    });
    await send('get', '/api/v1/settlement/visits/MZCVS-BAD').expect(404);
    expect(await count(`SELECT COUNT(*) AS n FROM settlement_visit WHERE mdtrt_id = 'MZCVS-BAD'`)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM settlement_receipt')).toBe(0);
  });

  it('records self-paid visits, lists them, refuses the one before the injury, converts the other with its refund', async () => {
    // HIS records two visits the worker paid before the determination: one after the injury (2026-02-10),
    // one before it (2026-01-05). No person number yet, no MATCH needed.
    const february = selfPaid(
      'MZCVS-0210',
      '2026-02-10',
      [line('1', 32000, '2026-02-10'), line('2', 4000, '2026-02-10', { injuryRelated: false, itemName: '感冒诊治' })],
      [
        { receiptNo: 'FP-0210-1', amountFen: 30000, paidDate: '2026-02-10' },
        { receiptNo: 'FP-0210-2', amountFen: 6000, paidDate: '2026-02-11' },
      ],
    );
    const recorded = await send('post', '/api/v1/settlement/self-paid-visits', february).expect(201);
    expect(recorded.body).toMatchObject({
      outcome: 'recorded',
      lines: { added: ['1', '2'] },
      visit: { visitId: 'MZCVS-0210', psnNo: null, state: 'open', lineSumFen: 36000, paidFen: 36000 },
    });
    expect(JSON.stringify(recorded.body)).not.toContain(WORKER.certno);
    expect((await send('post', '/api/v1/settlement/self-paid-visits', february).expect(200)).body).toMatchObject({
      outcome: 'unchanged',
      receiptsChanged: false,
    });
    await send(
      'post',
      '/api/v1/settlement/self-paid-visits',
      selfPaid(
        'MZCVS-0105',
        '2026-01-05',
        [line('1', 5000, '2026-01-05')],
        [{ receiptNo: 'FP-0105-1', amountFen: 5000, paidDate: '2026-01-05' }],
      ),
    ).expect(201);

    // The worker comes to the desk after the determination: a MATCH for today's visit.
    const token = await matchTokenByQr(send, insurer, WORKER, 'MZCVS-TODAY');
    const before = await listing(token);
    expect(before).toMatchObject({
      determination: { status: 'determined', injuryDate: '2026-01-09', determinationDate: '2026-03-18' },
      convertible: 1,
    });
    expect(before.visits.map((v) => [v.visitId, v.conversion, v.reason?.code ?? null])).toEqual([
      ['MZCVS-0210', 'convertible', null],
      ['MZCVS-0105', 'not-convertible', 'VISIT_BEFORE_INJURY'],
    ]);
    expect(before.visits[0].receipts.map((r) => r.receiptNo)).toEqual(['FP-0210-1', 'FP-0210-2']);
    const wire = JSON.stringify(before);
    expect(wire).not.toContain(WORKER.certno);
    expect(wire).not.toContain(WORKER.psn_name);

    // A self-paid visit does not settle the normal way, even with its own MATCH.
    const ownToken = await matchTokenByQr(send, insurer, WORKER, 'MZCVS-0210');
    const normal = await send('post', '/api/v1/settlement/visits/MZCVS-0210/settlement')
      .set('x-verification-token', ownToken)
      .expect(409);
    expect(normal.body).toMatchObject({ code: 'SETTLEMENT_VISIT_SELF_PAID' });

    // The visit before the injury date: refused by the gateway, the insurer gets nothing.
    const refused = await convert('MZCVS-0105', token).expect(422);
    expect(refused.body).toMatchObject({ code: 'SETTLEMENT_PRE_AUDIT_REFUSED' });
    expect((refused.body as { details: Array<{ code: string }> }).details.map((d) => d.code)).toEqual([
      'VISIT_BEFORE_INJURY',
      'CONVERSION_LINE_BEFORE_INJURY',
    ]);
    expect((await stats()).byInfno['2207'] ?? 0).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM outbox_message WHERE infno = '2207'`)).toBe(0);

    // The conversion: 2207 with cvs_flag "1"; 201 with the split and the refund, nothing to collect.
    const ws = await connectEvents(
      `${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(DESK)}`,
      {
        headers: { authorization: `Bearer ${key}` },
      },
    );
    try {
      const converted = (await convert('MZCVS-0210', token, 'cvs-0210-1').send({ desk: DESK }).expect(201))
        .body as Settlement;
      expect(converted).toMatchObject({
        visitId: 'MZCVS-0210',
        psnNo: WORKER.psn_no,
        status: 'settled',
        setlId: expect.stringMatching(/^ST/),
        conversion: true,
        split: { totalFen: 36000, fundFen: 32000, selfPayFen: 4000, refundFen: 32000 },
        refundFen: 32000,
        deskCollectsFen: 0,
      });
      expect(converted.refundFen).toBe(converted.split?.fundFen);
      // The same key again: the same settlement, nothing sent again.
      expect(((await convert('MZCVS-0210', token, 'cvs-0210-1').expect(201)).body as Settlement).id).toBe(converted.id);
      expect((await stats()).byInfno['2207']).toBe(1);
      // Read through the outbox: the stored bodies are encrypted.
      const sent = (await t.app.get(OutboxService).get(converted.msgid)).message;
      expect(sent.envelope).toContain('"cvs_flag":"1"');
      const answered = (await request(insurer).get(`/sandbox/messages/${converted.msgid}`).expect(200)).body as {
        reply: { output: Record<string, unknown> };
      };
      expect(answered.reply.output).toMatchObject({ cvs_flag: '1', refd_amt: 320, fund_pay_sumamt: 320 });

      const event = await ws.waitFor((m) => m.type === 'settlement' && m.status === 'settled', 'settled event');
      expect(event).toMatchObject({
        visitId: 'MZCVS-0210',
        amounts: { totalFen: 36000, fundFen: 32000, selfPayFen: 4000, deskCollectsFen: 0, refundFen: 32000 },
        message: expect.stringMatching(/自费转工伤结算成功.*应退还患者 320\.00 元/),
      });
    } finally {
      await ws.close();
    }

    // Listed as converted, with its settlement and refund; the other still not convertible.
    const after = await listing(token);
    expect(after.convertible).toBe(0);
    expect(after.visits.map((v) => [v.visitId, v.conversion])).toEqual([
      ['MZCVS-0210', 'converted'],
      ['MZCVS-0105', 'not-convertible'],
    ]);
    expect(after.visits[0]).toMatchObject({
      psnNo: WORKER.psn_no,
      state: 'settled',
      settlement: { conversion: true, refundFen: 32000, status: 'settled' },
    });
    expect(after.message).toMatch(/已转 1 次/);
    // A converted visit takes no more corrections.
    expect(
      (await send('post', '/api/v1/settlement/self-paid-visits', february).expect(409)).body as { code: string },
    ).toMatchObject({ code: 'SETTLEMENT_VISIT_SETTLED' });
    expect(await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'settlement.conversion'`)).toBe(1);
  });
  it('keeps the receipts right through corrections; converts a stay once the pending determination is made', async () => {
    // 王磊 was admitted on the day of his injury; the determination is pending, so he paid the stay himself.
    const worker = SEED.pending;
    const stay = (
      lines: object[],
      receipts: object[],
      person = { idNumber: worker.certno, name: worker.psn_name },
    ) => ({
      visitId: 'ZYCVS-1030',
      kind: 'inpatient',
      admissionDate: '2026-10-30',
      dischargeDate: '2026-11-05',
      ward: '手外科一病区',
      dept: '手外科',
      diagnosisCode: 'S62.600',
      diagnosisName: '右腕部骨折',
      person,
      lines,
      receipts,
    });
    const lines = [
      line('1', 28000, '2026-10-30'),
      line('2', 4000, '2026-11-01', { injuryRelated: false, itemName: '感冒诊治' }),
      line('3', 1000, '2026-11-02'),
    ];
    const deposit = { receiptNo: 'YJ-1030', amountFen: 20000, paidDate: '2026-10-30' };
    await send(
      'post',
      '/api/v1/settlement/self-paid-visits',
      stay(lines, [deposit, { receiptNo: 'FP-1105', amountFen: 13000, paidDate: '2026-11-05' }]),
    ).expect(201);
    // HIS corrects the stay: line 3 was not his, the final invoice smaller.
    const corrected = await send(
      'post',
      '/api/v1/settlement/self-paid-visits',
      stay(lines.slice(0, 2), [deposit, { receiptNo: 'FP-1105', amountFen: 12000, paidDate: '2026-11-05' }]),
    ).expect(200);
    expect(corrected.body).toMatchObject({
      outcome: 'corrected',
      lines: { withdrawn: ['3'], unchanged: ['1', '2'] },
      receiptsChanged: true,
      visit: { lineSumFen: 32000, paidFen: 32000 },
    });
    // The same visit id for someone else is refused.
    const other = await send(
      'post',
      '/api/v1/settlement/self-paid-visits',
      stay(lines.slice(0, 2), [deposit, { receiptNo: 'FP-1105', amountFen: 12000, paidDate: '2026-11-05' }], {
        idNumber: WORKER.certno,
        name: WORKER.psn_name,
      }),
    ).expect(409);
    expect(other.body).toMatchObject({
      code: 'SETTLEMENT_VISIT_CONFLICT',
      details: [expect.objectContaining({ field: 'person.idNumber' })],
    });

    // The insurer registers the determination (the sandbox's control route); he comes back to the desk.
    await request(insurer)
      .put(`/sandbox/people/${worker.certno}/injury`)
      .send({
        status: 'determined',
        determination_no: '银人社工认字〔2026〕第0999号',
        determination_date: '2026-11-20',
      })
      .expect(200);
    const token = await matchTokenByQr(send, insurer, worker, 'ZYCVS-TODAY', '住院收费1', 'inpatient');
    const listed = await listing(token);
    expect(listed).toMatchObject({
      determination: { status: 'determined', determinationDate: '2026-11-20' },
      convertible: 1,
      visits: [{ visitId: 'ZYCVS-1030', conversion: 'convertible', psnNo: null, paidFen: 32000 }],
    });
    // Another worker's MATCH does not convert his stay; an ordinary visit is not converted at all.
    const stranger = await matchTokenByQr(send, insurer, WORKER, 'MZCVS-STRANGER');
    expect((await convert('ZYCVS-1030', stranger).expect(403)).body).toMatchObject({ code: 'TOKEN_WRONG_PERSON' });
    await send('post', '/api/v1/settlement/visits', {
      visitId: 'MZCVS-NORMAL',
      psnNo: WORKER.psn_no,
      kind: 'outpatient',
      visitDate: '2026-11-25',
    }).expect(201);
    expect((await convert('MZCVS-NORMAL', stranger).expect(409)).body).toMatchObject({
      code: 'SETTLEMENT_NOT_SELF_PAID',
    });
    const converted = (await convert('ZYCVS-1030', token).expect(201)).body as Settlement & { infno: string };
    expect(converted).toMatchObject({
      infno: '2304',
      psnNo: worker.psn_no,
      conversion: true,
      split: { totalFen: 32000, fundFen: 28000, selfPayFen: 4000 },
      refundFen: 28000,
      deskCollectsFen: 0,
    });
    expect((await listing(token)).visits[0]).toMatchObject({ conversion: 'converted', psnNo: worker.psn_no });
  });
});

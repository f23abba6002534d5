import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SEED } from '../../src/sandbox/seed-people';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp, listenLocally } from '../support/e2e-app';
import { matchTokenByCards } from '../support/match-token';
import { poppler, popplerAvailable } from '../support/poppler';

jest.setTimeout(90_000);

const WORKER = SEED.activeFingers;
const STAY = 'ZY20261126E1';
const ADMISSIONS = { desk: '住院处1', card: 'adm-card', idCard: 'adm-idcard' };
const MAPPING = [
  '院内项目编码,院内项目名称,项目类别,医保目录编码',
  'CW001,床位费（普通病房）,诊疗,001102000010000',
  'ZL001,换药（中）,诊疗,001203000010000',
].join('\r\n');

type Settlement = {
  id: string;
  infno: string;
  status: string;
  setlId: string | null;
  msgid: string;
  split: { totalFen: number; fundFen: number; selfPayFen: number } | null;
  deskCollectsFen: number | null;
};

/**
 * An inpatient stay over HTTP, on each database: admission, fee lines HIS sends day by day (one
 * corrected, one withdrawn), the discharge notice (协议 13(4): charging to the fund stops from that
 * day), a line after it, the discharge; card + ID card at the admissions desk give the MATCH; the
 * pre-audit puts the lines from the notice day on to the worker; the 2304 settlement carries only
 * the lines before the notice, the desk collects the insurer's worker part plus the later lines,
 * and the statement prints them as 出院通知日后费用.
 */
describe.each(availableDatabases())('an inpatient stay settled on %s', (kind: DbKind) => {
  let t: TestApp;
  let base: string;
  let insurer: string;
  let key: string;
  let dir: string;
  let cleanup: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-inpatient-'));
    const db = await testDatabase(kind, dir);
    cleanup = db.cleanup;
    t = await startTestApp({
      dataDir: dir,
      database: db.database,
      sandboxInsurer: { enabled: true, port: 0 },
      settlement: { waitForOutcomeMs: 5000 },
      devices: [
        { id: ADMISSIONS.card, kind: 'ssse-card', transport: 'simulated', desk: ADMISSIONS.desk },
        { id: ADMISSIONS.idCard, kind: 'id-card', transport: 'simulated', desk: ADMISSIONS.desk },
      ],
    });
    ({ base, insurer } = await listenLocally(t));
    key = await t.token(['settlement', 'identity']);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (method: 'post' | 'put' | 'get' | 'patch' | 'delete', path: string, body?: object) => {
    const r = request(base)[method](path).set('authorization', `Bearer ${key}`);
    return body ? r.send(body) : r;
  };
  const day = (lineId: string, date: string, over: Record<string, unknown> = {}) => ({
    lineId,
    hisItemCode: 'CW001',
    itemName: '床位费（普通病房）',
    kind: 'service',
    count: '1',
    unitPriceFen: 5000,
    amountFen: 5000,
    serviceDate: date,
    injuryRelated: true,
    ...over,
  });
  const dressing = (lineId: string, date: string, count = 1) =>
    day(lineId, date, {
      hisItemCode: 'ZL001',
      itemName: '换药（中）',
      count: String(count),
      unitPriceFen: 3000,
      amountFen: 3000 * count,
    });
  const sandboxCount = async (infno: string): Promise<number> =>
    ((await request(insurer).get('/sandbox/stats').expect(200)).body as { byInfno: Record<string, number> }).byInfno[
      infno
    ] ?? 0;

  it('daily lines, a discharge notice, lines after it paid by the worker; 2304 carries the rest', async () => {
    await send('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);
    // At the admissions desk: the worker's card and ID card (协议 33: identity checked at admission and discharge).
    const token = await matchTokenByCards(send, base, ADMISSIONS, 'activeFingers', STAY, 'inpatient');
    // Admission without it is refused, nothing stored.
    const unverified = await send('post', '/api/v1/settlement/visits', {
      visitId: STAY,
      psnNo: WORKER.psn_no,
      kind: 'inpatient',
      admissionDate: '2026-11-26',
    }).expect(403);
    expect(unverified.body).toMatchObject({ code: 'TOKEN_MISSING' });
    expect(unverified.body.message).toContain('协议第三十三条');
    await send('get', `/api/v1/settlement/visits/${STAY}`).expect(404);
    // Admission.
    await send('post', '/api/v1/settlement/visits', {
      visitId: STAY,
      psnNo: WORKER.psn_no,
      kind: 'inpatient',
      admissionDate: '2026-11-26',
      ward: '一病区',
      dept: '手外科',
      diagnosisCode: 'S62.600',
      diagnosisName: '左手食指骨折',
    })
      .set('x-verification-token', token)
      .expect(201);
    // Day by day, as HIS posts the day's charges.
    const lines = `/api/v1/settlement/visits/${STAY}/lines`;
    expect(
      (await send('put', lines, { lines: [day('1', '2026-11-26'), dressing('2', '2026-11-26')] }).expect(200)).body,
    ).toMatchObject({ added: ['1', '2'] });
    expect(
      (await send('put', lines, { lines: [day('3', '2026-11-27'), dressing('4', '2026-11-27')] }).expect(200)).body,
    ).toMatchObject({ added: ['3', '4'] });
    // Day 3: yesterday's dressing corrected to two, a wrongly posted one withdrawn, the day's bed.
    expect(
      (
        await send('put', lines, {
          lines: [dressing('4', '2026-11-27', 2), day('5', '2026-11-28'), dressing('6', '2026-11-28')],
        }).expect(200)
      ).body,
    ).toMatchObject({ added: ['5', '6'], corrected: ['4'] });
    await send('delete', `${lines}/6`).expect(200);
    // The doctor tells the worker to leave on 11-28; they stay one more night.
    await send('patch', `/api/v1/settlement/visits/${STAY}`, { dischargeNoticeDate: '2026-11-28' })
      .set('x-verification-token', token)
      .expect(200);
    expect((await send('put', lines, { lines: [day('7', '2026-11-29')] }).expect(200)).body).toMatchObject({
      added: ['7'],
    });
    await send('patch', `/api/v1/settlement/visits/${STAY}`, { dischargeDate: '2026-11-29' })
      .set('x-verification-token', token)
      .expect(200);

    const audit = (
      await send('post', `/api/v1/settlement/visits/${STAY}/pre-audit`, {})
        .set('x-verification-token', token)
        .expect(200)
    ).body as {
      verdict: { canSettle: boolean };
      totals: { lineSumFen: number; fundFen: number; selfPayFen: number };
      lines: { lineId: string; disposition: string; findings: { code: string }[] }[];
    };
    expect(audit.verdict.canSettle).toBe(true);
    expect(audit.lines.map((l) => [l.lineId, l.disposition])).toEqual([
      ['1', 'fund'],
      ['2', 'fund'],
      ['3', 'fund'],
      ['4', 'fund'],
      ['5', 'selfPay'], // the notice day itself: "自通知之日起，停止记账"
      ['7', 'selfPay'],
    ]);
    expect(audit.lines.find((l) => l.lineId === '7')?.findings.map((f) => f.code)).toEqual(['AFTER_DISCHARGE_NOTICE']);
    // Beds 5,000 × 4, dressings 3,000 + 6,000 (the withdrawn one not counted).
    expect(audit.totals).toMatchObject({ lineSumFen: 29_000, fundFen: 19_000, selfPayFen: 10_000 });

    const settled = (
      await send('post', `/api/v1/settlement/visits/${STAY}/settlement`)
        .set('x-verification-token', token)
        .set('idempotency-key', `${STAY}-1`)
        .expect(201)
    ).body as Settlement;
    expect(settled).toMatchObject({ infno: '2304', status: 'settled', setlId: expect.stringMatching(/^ST/) });
    // The insurer was sent the lines before the notice only; the desk collects its worker part and the rest.
    expect(settled.split?.totalFen).toBe(19_000);
    expect(settled.deskCollectsFen).toBe((settled.split?.selfPayFen ?? NaN) + 10_000);
    expect(await sandboxCount('2304')).toBe(1);
    const sent = (await request(insurer).get(`/sandbox/messages/${settled.msgid}`).expect(200)).body as {
      input: { setlinfo?: { medfee_sumamt: number }; feedetail?: { feedetl_sn: string }[] };
    };
    expect(JSON.stringify(sent)).toContain(STAY);
    expect(JSON.stringify(sent)).not.toMatch(/"feedetl_sn":"(5|6|7)"/);

    // Settled: the stay takes no more lines until the settlement is cancelled.
    expect((await send('put', lines, { lines: [day('8', '2026-11-29')] }).expect(409)).body).toMatchObject({
      code: 'SETTLEMENT_VISIT_SETTLED',
    });

    const pdf = await send('get', `/api/v1/settlement/settlements/${settled.id}/statement.pdf`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    if (popplerAvailable()) {
      const text = poppler('pdftotext', ['-layout', '-', '-'], pdf.body as Buffer).toString('utf8');
      expect(text).toContain(settled.setlId as string);
      expect(text).toContain('出院通知日后费用');
      expect(text).toContain('290.00'); // the stay's medical costs
      expect(text).toContain('2026-11-26');
      expect(text).toContain('2026-11-29');
    }
  });
});

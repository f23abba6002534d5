import request from 'supertest';
import { DataSource as DataSourceToken } from 'typeorm';
import { SEED } from '../../src/sandbox/seed-people';
import { startTestApp, type TestApp, listenLocally } from '../support/e2e-app';
import { matchTokenByQr } from '../support/match-token';
import { signaturePng } from '../support/form-samples';
import { dressingLine } from '../support/settlement-visits';

jest.setTimeout(60_000);

const WORKER = SEED.activeFingers;
const VISIT = 'MZ20261125E1';
const MED = 'XJ01CAA040A001010100001';
const MAPPING = [
  '院内项目编码,院内项目名称,项目类别,医保目录编码',
  `YP001,阿莫西林胶囊,药品,${MED}`,
  'ZL001,换药（中）,诊疗,001203000010000',
].join('\r\n');
const code = (n: number): string => `8${String(n).padStart(19, '0')}`;
type Finding = { code: string; severity: string; lineId: string | null; message: string };
type PreAudit = {
  verdict: { canSettle: boolean; message: string };
  personCheck: { done: boolean; source: string | null };
  totals: Record<string, number>;
  lines: Array<{ lineId: string; disposition: string }>;
  findings: Finding[];
};

/**
 * Visits and fee lines from HIS and the local pre-audit over HTTP, with the sandbox insurer: a MATCH
 * token from identity, trace codes scanned by the pharmacy, a signed self-pay consent from forms.
 */
describe('settlement visits, fee lines and pre-audit over HTTP', () => {
  let t: TestApp;
  let base: string;
  let insurer: string;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ sandboxInsurer: { enabled: true, port: 0 } });
    ({ base, insurer } = await listenLocally(t));
    key = await t.token(['settlement', 'trace-codes', 'identity', 'forms']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (method: 'post' | 'put' | 'patch' | 'delete' | 'get', path: string, body?: object) => {
    const r = request(base)[method](path).set('authorization', `Bearer ${key}`);
    return body ? r.send(body) : r;
  };
  const v = (path = '') => `/api/v1/settlement/visits/${VISIT}${path}`;
  const line = dressingLine;
  const drug = line('1', {
    hisItemCode: 'YP001',
    itemName: '阿莫西林胶囊',
    kind: 'drug',
    count: '2',
    unitPriceFen: 1250,
    amountFen: 2500,
    daysOfSupply: 7,
  });
  /** A MATCH for the worker at this visit: HIS identity plus the worker's e-card QR code. */
  const matchToken = (): Promise<string> => matchTokenByQr(send, insurer, WORKER, VISIT);
  const preAudit = async (token?: string): Promise<PreAudit> => {
    const r = send('post', v('/pre-audit'), {});
    return (await (token ? r.set('x-verification-token', token) : r).expect(200)).body as PreAudit;
  };
  const findingsOf = (p: PreAudit, lineId: string | null) =>
    p.findings.filter((f) => f.lineId === lineId).map((f) => f.code);

  it('opens a visit, takes lines twice (idempotent), corrects and withdraws; the pre-audit refuses a missing trace code until it is scanned', async () => {
    await send('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);
    const opening = {
      visitId: VISIT,
      psnNo: WORKER.psn_no,
      kind: 'outpatient',
      visitDate: '2026-11-25',
      dept: '手外科',
    };
    expect((await send('post', '/api/v1/settlement/visits', opening).expect(201)).body).toMatchObject({
      visitId: VISIT,
      state: 'open',
    });
    await send('post', '/api/v1/settlement/visits', opening).expect(200);
    const bad = await send('post', '/api/v1/settlement/visits', { ...opening, visitDate: undefined }).expect(400);
    expect(bad.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: expect.arrayContaining([expect.objectContaining({ field: 'visitDate' })]),
    });

    const lines = [
      drug,
      line('2'),
      line('3', { injuryRelated: false }),
      line('4', { hisItemCode: 'ZZ999', itemName: '未对码项目' }),
    ];
    expect((await send('put', v('/lines'), { lines }).expect(200)).body).toMatchObject({ added: ['1', '2', '3', '4'] });
    expect((await send('put', v('/lines'), { lines }).expect(200)).body).toMatchObject({
      added: [],
      corrected: [],
      unchanged: ['1', '2', '3', '4'],
    });
    const floaty = await send('put', v('/lines'), { lines: [line('2', { count: 1.5, amountFen: 12.5 })] }).expect(400);
    expect(new Set((floaty.body as { details: Array<{ field: string }> }).details.map((d) => d.field))).toEqual(
      new Set(['lines.0.amountFen', 'lines.0.count']),
    );
    expect(
      (await send('put', v('/lines'), { lines: [line('2', { count: '2', amountFen: 6000 })] }).expect(200)).body,
    ).toMatchObject({
      corrected: ['2'],
    });
    await send('put', v('/lines'), { lines: [line('5')] }).expect(200);
    expect((await send('delete', v('/lines/5')).expect(200)).body).toMatchObject({ lineId: '5', state: 'withdrawn' });
    const detail = (await send('get', v()).expect(200)).body as {
      lines: Array<{ lineId: string; state: string; revision: number }>;
      activeAmountFen: number;
    };
    expect(detail.lines.map((l) => `${l.lineId}:${l.state}:${l.revision}`)).toEqual([
      '1:active:1',
      '2:active:2',
      '3:active:1',
      '4:active:1',
      '5:withdrawn:2',
    ]);
    expect(detail.activeAmountFen).toBe(2500 + 6000 + 3000 + 3000);
    expect(
      ((await send('get', '/api/v1/settlement/visits?limit=10').expect(200)).body as Array<{ visitId: string }>)[0]
        .visitId,
    ).toBe(VISIT);

    // The pharmacy declares the dispensing line and scans one of its two boxes.
    await send('put', `/api/v1/trace-codes/visits/${VISIT}/lines`, {
      lines: [{ lineNo: '1', medListCode: MED, drugName: '阿莫西林胶囊', quantity: 2 }],
    }).expect(200);
    await send('post', '/api/v1/trace-codes/scans', { visitId: VISIT, lineNo: '1', text: code(901) }).expect(201);

    const blind = await preAudit();
    expect(blind.personCheck).toEqual({ done: false, source: null });
    expect(findingsOf(blind, null)).toEqual(['PERSON_NOT_VERIFIED']);
    const token = await matchToken();
    const missing = await preAudit(token);
    expect(missing.personCheck).toEqual({ done: true, source: 'insurer' });
    expect(missing.verdict.canSettle).toBe(false);
    expect(missing.findings.filter((f) => f.severity === 'refuse').map((f) => [f.code, f.lineId])).toEqual([
      ['TRACE_CODES_MISSING', '1'],
    ]);
    expect(missing.findings.find((f) => f.code === 'TRACE_CODES_MISSING')?.message).toMatch(
      /已采集药品追溯码 1 个，应采集 2 个/,
    );

    await send('post', '/api/v1/trace-codes/scans', { visitId: VISIT, lineNo: '1', text: code(902) }).expect(201);
    const passed = await preAudit(token);
    expect(passed.verdict).toMatchObject({ canSettle: true, message: expect.stringMatching(/预审通过/) });
    expect(passed.lines.map((l) => `${l.lineId}:${l.disposition}`)).toEqual([
      '1:fund',
      '2:fund',
      '3:selfPay',
      '4:selfPay',
    ]);
    expect(findingsOf(passed, '3')).toEqual(['NOT_INJURY_RELATED']);
    expect(findingsOf(passed, '4')).toEqual(['ITEM_NOT_MAPPED', 'SELF_PAY_NOT_CONSENTED']);
    expect(passed.totals).toEqual({
      lineSumFen: 14500,
      fundFen: 8500,
      selfPayFen: 6000,
      refusedFen: 0,
      hospitalLossFen: 3000,
    });
  });

  it('an unmapped line stays self-pay but is no hospital loss once it names a signed self-pay consent form', async () => {
    const token = await matchToken();
    const form = (
      await send('post', '/api/v1/forms', {
        kind: 'self-pay-consent',
        visitId: VISIT,
        verificationToken: token,
        values: {
          hospitalName: '宁夏回族自治区人民医院',
          unitName: WORKER.emp_name,
          visitNo: VISIT,
          department: '手外科',
          diagnosis: '左手食指挫伤',
          items: [{ name: '未对码项目', amount: '30.00', reason: '不在工伤保险诊疗项目目录内' }],
          informingDoctor: '李文',
          informedDate: '2026-11-25',
        },
      }).expect(201)
    ).body as { id: string };
    await send('put', v('/lines'), {
      lines: [line('4', { hisItemCode: 'ZZ999', itemName: '未对码项目', selfPayConsentFormId: form.id })],
    }).expect(200);
    const unsigned = await preAudit(token);
    expect(unsigned.findings.find((f) => f.lineId === '4' && f.code === 'SELF_PAY_NOT_CONSENTED')?.message).toContain(
      form.id,
    );
    await send('post', `/api/v1/forms/${form.id}/signature`, {
      signaturePng: signaturePng().toString('base64'),
      signedAt: '2026-11-25',
    }).expect(200);
    const consented = await preAudit(token);
    expect(findingsOf(consented, '4')).toEqual(['ITEM_NOT_MAPPED']);
    expect(consented.totals).toMatchObject({ selfPayFen: 6000, hospitalLossFen: 0 });
    expect(consented.verdict.canSettle).toBe(true);
  });

  it('a settled visit refuses changes with 409 and a Chinese message; an unknown visit is 404', async () => {
    await t.app.get(DataSourceToken).query(`UPDATE settlement_visit SET state = 'settled' WHERE mdtrt_id = '${VISIT}'`);
    const refused = await send('put', v('/lines'), { lines: [line('6')] }).expect(409);
    expect(refused.body).toMatchObject({ code: 'SETTLEMENT_VISIT_SETTLED', message: expect.stringMatching(/已结算/) });
    await send('delete', v('/lines/2')).expect(409);
    expect((await send('get', '/api/v1/settlement/visits/NOPE').expect(404)).body).toMatchObject({
      code: 'SETTLEMENT_VISIT_NOT_FOUND',
    });
  });
});

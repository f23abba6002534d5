import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import type { CatalogueError } from '../../src/platform/errors/error-catalogue';
import type { FeeLineInputDto } from '../../src/settlement/visits.dto';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { answerOf, SEED } from '../support/identity-fixtures';
import { SETTLEMENT_HIS as HIS, settlementVisitsOn, type SettlementVisitsWorld } from '../support/settlement-visits';
import { testConfig } from '../support/test-config';
import { FixedClock, HIS as PHARMACY, refusal, traceCode } from '../support/trace-codes';

jest.setTimeout(30_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-visits-'));
const WORKER = SEED.activeFingers;
const MAPPING = Buffer.from(
  [
    '院内项目编码,院内项目名称,项目类别,医保目录编码,开始日期,结束日期',
    'YP001,阿莫西林胶囊,药品,XJ01CAA040A001010100001,,',
    'ZL001,换药（中）,诊疗,001203000010000,,',
    'ZL002,旧诊疗项目,诊疗,001203000020000,2026-01-01,2026-11-24',
    'CL001,自费敷料,材料,,,',
  ].join('\r\n'),
  'utf8',
);

const drug = (lineId: string, over: Partial<FeeLineInputDto> = {}): FeeLineInputDto => ({
  lineId,
  hisItemCode: 'YP001',
  itemName: '阿莫西林胶囊',
  kind: 'drug',
  count: '2',
  unitPriceFen: 1250,
  amountFen: 2500,
  serviceDate: '2026-11-25',
  injuryRelated: true,
  daysOfSupply: 7,
  ...over,
});
const service = (lineId: string, over: Partial<FeeLineInputDto> = {}): FeeLineInputDto => ({
  lineId,
  hisItemCode: 'ZL001',
  itemName: '换药（中）',
  kind: 'service',
  count: '1',
  unitPriceFen: 3000,
  amountFen: 3000,
  serviceDate: '2026-11-25',
  injuryRelated: true,
  ...over,
});

describe.each(availableDatabases())('settlement visits, fee lines and pre-audit on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let w: SettlementVisitsWorld;
  const clock = new FixedClock(new Date('2026-11-25T01:00:00Z'));
  const count = async (sql: string): Promise<number> => Number((await ds.query<{ n: number | string }[]>(sql))[0].n);
  const outpatient = (visitId: string, psnNo = WORKER.psn_no) =>
    w.visits.open(HIS, { visitId, psnNo, kind: 'outpatient', visitDate: '2026-11-25', dept: '手外科' });

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    w = settlementVisitsOn(ds, clock, testConfig());
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('opens a visit once: the same opening again changes nothing, a different one is refused with the fields', async () => {
    const first = await outpatient('MZ1');
    expect(first).toMatchObject({ created: true, visit: { visitId: 'MZ1', kind: 'outpatient', state: 'open' } });
    expect(await outpatient('MZ1')).toEqual({ created: false, visit: first.visit });
    const e = await refusal<CatalogueError>(outpatient('MZ1', '6401040000999999'));
    expect(e).toMatchObject({ status: 409, code: 'SETTLEMENT_VISIT_CONFLICT' });
    expect(e.details?.map((d) => d.field)).toEqual(['psnNo']);
    expect(await count(`SELECT COUNT(*) AS n FROM settlement_visit WHERE mdtrt_id = 'MZ1'`)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'settlement.visit.open'`)).toBe(1);
  });

  it('takes lines idempotently by HIS line id: again = no change, different = a correction, withdraw and reinstate', async () => {
    await outpatient('MZ2');
    const big = service('3', { unitPriceFen: 12_345_678_901, amountFen: 12_345_678_901 });
    expect(await w.lines.declare(HIS, 'MZ2', [drug('1'), service('2'), big])).toMatchObject({
      added: ['1', '2', '3'],
      corrected: [],
      unchanged: [],
    });
    expect(await w.lines.declare(HIS, 'MZ2', [drug('1'), service('2')])).toMatchObject({
      added: [],
      corrected: [],
      unchanged: ['1', '2'],
    });
    expect(
      await w.lines.declare(HIS, 'MZ2', [drug('1', { count: '1.5', amountFen: 1875 }), service('4')]),
    ).toMatchObject({ added: ['4'], corrected: ['1'], unchanged: [] });
    expect(await w.lines.withdraw(HIS, 'MZ2', '2')).toMatchObject({ lineId: '2', state: 'withdrawn', revision: 2 });
    expect(await w.lines.withdraw(HIS, 'MZ2', '2')).toMatchObject({ state: 'withdrawn', revision: 2 });
    const detail = await w.visits.get('MZ2');
    expect(detail.lines.map((l) => [l.lineId, l.state, l.revision, l.count, l.amountFen])).toEqual([
      ['1', 'active', 2, '1.5', 1875],
      ['2', 'withdrawn', 2, '1', 3000],
      ['3', 'active', 1, '1', 12_345_678_901],
      ['4', 'active', 1, '1', 3000],
    ]);
    expect(detail).toMatchObject({ activeLines: 3, activeAmountFen: 1875 + 12_345_678_901 + 3000 });
    expect(await w.lines.declare(HIS, 'MZ2', [service('2')])).toMatchObject({ reinstated: ['2'] });
    expect((await w.visits.get('MZ2')).lines[1]).toMatchObject({ state: 'active', revision: 3 });
    const audit = await ds.query<{ action: string; details: string }[]>(
      `SELECT action, details FROM audit_log WHERE action LIKE 'settlement.fee-line%' ORDER BY id`,
    );
    // Four changing calls audited (the unchanged batch and the repeated withdrawal are not).
    expect(audit.map((a) => a.action)).toEqual([
      'settlement.fee-lines',
      'settlement.fee-lines',
      'settlement.fee-line.withdraw',
      'settlement.fee-lines',
    ]);
    expect(audit[1].details).toContain('"count":"1.5"');
  });

  it('refuses a batch naming a line twice, an unknown visit and an unknown line', async () => {
    await outpatient('MZ3');
    const dup = await refusal<CatalogueError>(w.lines.declare(HIS, 'MZ3', [service('1'), service('2'), service('1')]));
    expect(dup).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [expect.objectContaining({ field: 'lines.2.lineId', code: 'SETTLEMENT_LINE_DUPLICATE' })],
    });
    expect(await refusal(w.lines.declare(HIS, 'NOPE', [service('1')]))).toMatchObject({
      status: 404,
      code: 'SETTLEMENT_VISIT_NOT_FOUND',
    });
    expect(await refusal(w.lines.withdraw(HIS, 'MZ3', '9'))).toMatchObject({
      status: 404,
      code: 'SETTLEMENT_LINE_NOT_FOUND',
    });
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM settlement_fee_line f JOIN settlement_visit v ON v.id = f.visit_id WHERE v.mdtrt_id = 'MZ3'`,
      ),
    ).toBe(0);
  });

  it('records discharge and discharge notice of a stay; refuses them on an outpatient visit or before admission', async () => {
    const stay = { visitId: 'ZY1', psnNo: WORKER.psn_no, kind: 'inpatient' as const, admissionDate: '2026-11-20' };
    // 协议 33: without the MATCH token of the admissions desk, no admission (nothing stored) …
    expect(await refusal(w.visits.open(HIS, { ...stay, ward: '一病区' }))).toMatchObject({
      code: 'TOKEN_MISSING',
      status: 403,
    });
    expect(await count(`SELECT COUNT(*) AS n FROM settlement_visit WHERE mdtrt_id = 'ZY1'`)).toBe(0);
    w.neighbours.workers.set('tok-ZY1', {
      visitId: 'ZY1',
      psnNo: WORKER.psn_no,
      answer: answerOf(WORKER),
      source: 'insurer',
    });
    await w.visits.open(HIS, { ...stay, ward: '一病区' }, 'tok-ZY1');
    // … HIS sending the same admission again is answered as before, token or not …
    expect((await w.visits.open(HIS, { ...stay, ward: '一病区' })).created).toBe(false);
    // … and no discharge (notice) without it either.
    expect(await refusal(w.visits.update(HIS, 'ZY1', { dischargeNoticeDate: '2026-11-28' }))).toMatchObject({
      code: 'TOKEN_MISSING',
    });
    expect(await w.visits.update(HIS, 'ZY1', { dischargeNoticeDate: '2026-11-28' }, 'tok-ZY1')).toMatchObject({
      dischargeNoticeDate: '2026-11-28',
      dischargeDate: null,
    });
    expect(await w.visits.update(HIS, 'ZY1', { dischargeDate: '2026-11-30' }, 'tok-ZY1')).toMatchObject({
      dischargeNoticeDate: '2026-11-28',
      dischargeDate: '2026-11-30',
    });
    const early = await refusal<CatalogueError>(
      w.visits.update(HIS, 'ZY1', { dischargeNoticeDate: '2026-11-19' }, 'tok-ZY1'),
    );
    expect(early).toMatchObject({ status: 422, code: 'SETTLEMENT_VISIT_DATE_INVALID' });
    expect(early.userMessage).toContain('2026-11-19');
    expect(await refusal(w.visits.update(HIS, 'MZ1', { dischargeDate: '2026-11-26' }))).toMatchObject({
      status: 409,
      code: 'SETTLEMENT_VISIT_NOT_INPATIENT',
    });
    expect(await w.visits.update(HIS, 'ZY1', { dischargeNoticeDate: null })).toMatchObject({
      dischargeNoticeDate: null,
    });
  });

  it('a settled visit refuses every change with 409', async () => {
    await outpatient('MZ4');
    await w.lines.declare(HIS, 'MZ4', [service('1')]);
    await ds.query(`UPDATE settlement_visit SET state = 'settled' WHERE mdtrt_id = 'MZ4'`);
    for (const change of [
      () => w.lines.declare(HIS, 'MZ4', [service('1', { amountFen: 2900, unitPriceFen: 2900 })]),
      () => w.lines.declare(HIS, 'MZ4', [service('2')]),
      () => w.lines.withdraw(HIS, 'MZ4', '1'),
      () => w.visits.update(HIS, 'MZ4', { diagnosisName: '左手挫伤' }),
    ]) {
      const e = await refusal<CatalogueError>(change());
      expect(e).toMatchObject({ status: 409, code: 'SETTLEMENT_VISIT_SETTLED' });
      expect(e.userMessage).toMatch(/已结算.*撤销结算/);
    }
    expect((await w.visits.get('MZ4')).lines).toEqual([
      expect.objectContaining({ lineId: '1', amountFen: 3000, revision: 1 }),
    ]);
  });

  it('lists visits newest first, keyset-paged and by person', async () => {
    await outpatient('MZ5', '6401040000555555');
    const all = await w.visits.list({ limit: 500 });
    expect(all[0].visitId).toBe('MZ5');
    const page1 = await w.visits.list({ limit: 2 });
    const page2 = await w.visits.list({ limit: 2, before: page1[1].id });
    expect([...page1, ...page2].map((v) => v.visitId)).toEqual(all.slice(0, 4).map((v) => v.visitId));
    expect((await w.visits.list({ psnNo: '6401040000555555' })).map((v) => v.visitId)).toEqual(['MZ5']);
  });

  it('pre-audits from the catalogue, trace codes, consents and the verified worker; without a token the person checks are not done', async () => {
    await w.catalogue.imports.import(HIS, { name: '对码.csv', bytes: MAPPING });
    await outpatient('MZ6');
    await w.lines.declare(HIS, 'MZ6', [
      drug('1'),
      service('2', { injuryRelated: false }),
      service('3', { hisItemCode: 'CL001', itemName: '自费敷料', kind: 'material', selfPayConsentFormId: 'F-SIGNED' }),
      service('4', { hisItemCode: 'CL001', itemName: '自费敷料', kind: 'material' }),
      service('5', { hisItemCode: 'ZL002', itemName: '旧诊疗项目' }),
      service('6', { hisItemCode: 'ZZ999', itemName: '未对码项目', selfPayConsentFormId: 'F-DRAFT' }),
    ]);
    w.neighbours.forms.set('MZ6', [
      { id: 'F-SIGNED', formNo: 'F2026A', kind: 'self-pay-consent', signedAt: '2026-11-25T00:30:00.000Z' },
      { id: 'F-DRAFT', formNo: 'F2026B', kind: 'self-pay-consent', signedAt: null },
    ]);
    await w.traceCodes.lines.declareLines(PHARMACY, 'MZ6', [
      {
        lineNo: '1',
        medListCode: 'XJ01CAA040A001010100001',
        drugName: '阿莫西林胶囊',
        quantity: 2,
        splitPackage: false,
      },
    ]);
    await w.traceCodes.capture.scan(PHARMACY, 'MZ6', '1', traceCode(601));

    const blind = await w.preAudit.run(HIS, 'MZ6', undefined);
    expect(blind.personCheck).toEqual({ done: false, source: null });
    expect(blind.verdict.canSettle).toBe(false);
    const codes = (lineId: string | null) => blind.findings.filter((f) => f.lineId === lineId).map((f) => f.code);
    expect(codes(null)).toEqual(['PERSON_NOT_VERIFIED']);
    expect(codes('1')).toEqual(['TRACE_CODES_MISSING']);
    expect(codes('2')).toEqual(['NOT_INJURY_RELATED']);
    expect(codes('3')).toEqual(['ITEM_NOT_MAPPED']);
    expect(codes('4')).toEqual(['ITEM_NOT_MAPPED', 'SELF_PAY_NOT_CONSENTED']);
    expect(codes('5')).toEqual(['ITEM_OUTSIDE_CATALOGUE', 'SELF_PAY_NOT_CONSENTED']);
    expect(codes('6')).toEqual(['ITEM_NOT_MAPPED', 'SELF_PAY_NOT_CONSENTED']);
    expect(blind.totals).toEqual({
      lineSumFen: 2500 + 5 * 3000,
      fundFen: 0,
      selfPayFen: 5 * 3000,
      refusedFen: 2500,
      hospitalLossFen: 3 * 3000,
    });
    expect(blind).toMatchObject({ catalogueVersionSeq: 1, missingTraceCodes: 'refuse' });

    await w.traceCodes.capture.scan(PHARMACY, 'MZ6', '1', traceCode(602));
    w.neighbours.workers.set('tok-6', {
      visitId: 'MZ6',
      psnNo: WORKER.psn_no,
      answer: answerOf(WORKER),
      source: 'insurer',
    });
    const verified = await w.preAudit.run(HIS, 'MZ6', 'tok-6');
    expect(verified.personCheck).toEqual({ done: true, source: 'insurer' });
    expect(verified.findings.filter((f) => f.severity === 'refuse')).toEqual([]);
    expect(verified.verdict).toMatchObject({ canSettle: true, message: expect.stringMatching(/预审通过/) });
    expect(verified.totals).toMatchObject({ fundFen: 2500, selfPayFen: 15000, hospitalLossFen: 9000 });
    expect(verified.lines[0]).toMatchObject({
      lineId: '1',
      disposition: 'fund',
      insurerCode: 'XJ01CAA040A001010100001',
    });
    // The pre-audit stores nothing but its audit entries.
    expect(await count(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'settlement.pre-audit'`)).toBe(2);
  });

  it('refuses a token for another person or another visit', async () => {
    w.neighbours.workers.set('tok-other', {
      visitId: 'MZ6',
      psnNo: '6401040000999999',
      answer: answerOf(WORKER),
      source: 'insurer',
    });
    expect(await refusal(w.preAudit.run(HIS, 'MZ6', 'tok-other'))).toMatchObject({
      status: 409,
      code: 'SETTLEMENT_PERSON_MISMATCH',
    });
    expect(await refusal(w.preAudit.run(HIS, 'MZ5', 'tok-6'))).toMatchObject({
      status: 403,
      code: 'TOKEN_WRONG_VISIT',
    });
    expect(await refusal(w.preAudit.run(HIS, 'NOPE', undefined))).toMatchObject({
      status: 404,
      code: 'SETTLEMENT_VISIT_NOT_FOUND',
    });
  });
});

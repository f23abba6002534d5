import { preAudit } from './pre-audit';
import { DEFAULT_PRE_AUDIT_POLICY, type FeeLine, type PreAuditInput, type WorkerFacts } from './pre-audit-input';

const HERE = 'H64010600001';
const line = (lineId: string, over: Partial<FeeLine> = {}): FeeLine => ({
  lineId,
  hisItemCode: `FW${lineId}`,
  itemName: `项目${lineId}`,
  kind: 'service',
  count: '1',
  unitPriceFen: 1000,
  amountFen: 1000,
  serviceDate: '2026-03-10',
  injuryRelated: true,
  daysOfSupply: null,
  supplyStatementPresent: false,
  selfPayConsentFormId: null,
  ...over,
});
const drug = (lineId: string, over: Partial<FeeLine> = {}): FeeLine =>
  line(lineId, { kind: 'drug', hisItemCode: `YP${lineId}`, count: '2', amountFen: 2000, daysOfSupply: 7, ...over });

function input(lines: FeeLine[], over: Partial<PreAuditInput> = {}): PreAuditInput {
  const catalogue = new Map(
    lines.map((l) => [l.hisItemCode, { kind: 'mapped' as const, insurerCode: `X${l.lineId}` }]),
  );
  const traceCodes = new Map(
    lines.filter((l) => l.kind === 'drug').map((l) => [l.lineId, { boxesExpected: 2, codesCaptured: 2 }]),
  );
  return {
    visit: { kind: 'outpatient', visitDate: '2026-03-10', hospitalCode: HERE },
    worker: {
      injuryStatus: 'determined',
      injuryDate: '2026-03-01',
      signedInstitutionCodes: [HERE],
      crossProvince: null,
    },
    lines,
    catalogue,
    traceCodes,
    signedConsentFormIds: new Set(['F-1']),
    hisTotals: { totalFen: lines.reduce((s, l) => s + l.amountFen, 0) },
    ...over,
  };
}
const dispositions = (r: ReturnType<typeof preAudit>) => r.lines.map((l) => `${l.lineId}:${l.disposition}`);

describe('pre-audit', () => {
  it('passes a clean visit: every line to the fund, with its insurer code', () => {
    const r = preAudit(input([line('1'), drug('2')]));
    expect(r.verdict.canSettle).toBe(true);
    expect(r.verdict.message).toBe('预审通过，可以结算：基金支付 30.00元，个人自费 0.00元');
    expect(dispositions(r)).toEqual(['1:fund', '2:fund']);
    expect(r.lines.map((l) => l.insurerCode)).toEqual(['X1', 'X2']);
    expect(r.visitFindings).toEqual([]);
    expect(r.totals).toEqual({
      lineSumFen: 3000,
      fundFen: 1000 + 2000,
      selfPayFen: 0,
      refusedFen: 0,
      hospitalLossFen: 0,
    });
  });

  it("splits self-pay lines from fund lines and counts the hospital's loss", () => {
    const lines = [
      line('1'),
      line('2', { injuryRelated: false, amountFen: 1000 }),
      line('3', { selfPayConsentFormId: 'F-1', unitPriceFen: 500, amountFen: 500 }),
      line('4', { unitPriceFen: 250, amountFen: 250 }),
    ];
    const i = input(lines);
    const catalogue = new Map(i.catalogue);
    catalogue.set('FW3', { kind: 'outside' });
    catalogue.set('FW4', { kind: 'unmapped' });
    const r = preAudit({ ...i, catalogue });
    expect(dispositions(r)).toEqual(['1:fund', '2:selfPay', '3:selfPay', '4:selfPay']);
    expect(r.lines[3].findings.map((f) => f.code)).toEqual(['ITEM_NOT_MAPPED', 'SELF_PAY_NOT_CONSENTED']);
    expect(r.totals).toEqual({
      lineSumFen: 2750,
      fundFen: 1000,
      selfPayFen: 1750,
      refusedFen: 0,
      hospitalLossFen: 250,
    });
    expect(r.verdict).toEqual({
      canSettle: true,
      message: '预审通过，可以结算：基金支付 10.00元，个人自费 17.50元，其中 2.50元 未签自费确认、由医院承担',
    });
  });

  it('refuses a line with any refusing finding, whatever else it is, and keeps it out of fund and self-pay', () => {
    const r = preAudit(
      input([line('1'), line('2', { injuryRelated: false, amountFen: 999 })], { hisTotals: { totalFen: 1999 } }),
    );
    expect(dispositions(r)).toEqual(['1:fund', '2:refused']);
    expect(r.lines[1].findings.map((f) => f.code)).toEqual(['AMOUNT_MISMATCH', 'NOT_INJURY_RELATED']);
    expect(r.totals).toMatchObject({ fundFen: 1000, selfPayFen: 0, refusedFen: 999 });
    expect(r.verdict.canSettle).toBe(false);
  });

  it('refuses the settlement on missing trace codes, or settles with a warning when the policy says warn', () => {
    const i = input([drug('1')]);
    const missing = { ...i, traceCodes: new Map([['1', { boxesExpected: 2, codesCaptured: 1 }]]) };
    expect(preAudit(missing).verdict.canSettle).toBe(false);
    const warned = preAudit(missing, { ...DEFAULT_PRE_AUDIT_POLICY, missingTraceCodes: 'warn' });
    expect(warned.verdict.canSettle).toBe(true);
    expect(dispositions(warned)).toEqual(['1:fund']);
    expect(warned.lines[0].findings).toEqual([
      expect.objectContaining({ code: 'TRACE_CODES_MISSING', severity: 'warn' }),
    ]);
  });

  it('applies trace codes and days of supply to self-pay drug lines too', () => {
    const r = preAudit({ ...input([drug('1', { injuryRelated: false, daysOfSupply: 120 })]), traceCodes: new Map() });
    expect(r.lines[0].findings.map((f) => f.code)).toEqual([
      'NOT_INJURY_RELATED',
      'TRACE_CODES_MISSING',
      'SUPPLY_OVER_MAX',
    ]);
    expect(dispositions(r)).toEqual(['1:refused']);
  });

  it('refuses every line of a duplicated id', () => {
    const r = preAudit(input([line('1'), line('1'), line('2')]));
    expect(dispositions(r)).toEqual(['1:refused', '1:refused', '2:fund']);
    expect(r.lines.map((l) => l.index)).toEqual([0, 1, 2]);
  });

  it('refuses HIS totals that do not add up to the fen', () => {
    const r = preAudit(input([line('1'), line('2')], { hisTotals: { totalFen: 2001 } }));
    expect(r.visitFindings).toEqual([
      expect.objectContaining({ code: 'HIS_TOTAL_MISMATCH', severity: 'refuse', lineId: null }),
    ]);
    expect(r.verdict.canSettle).toBe(false);
  });

  it('refuses the visit on visit-level findings; lines keep their own dispositions', () => {
    const i = input([line('1')]);
    const r = preAudit({ ...i, worker: { ...(i.worker as WorkerFacts), injuryStatus: 'pending' } });
    expect(r.verdict.canSettle).toBe(false);
    expect(r.verdict.message).toMatch(/1 项问题/);
    expect(r.visitFindings[0].message).toMatch(/先按自费结算.*自费转工伤/);
    expect(dispositions(r)).toEqual(['1:fund']);
  });

  it('without worker facts judges every line and refuses the visit as not verified', () => {
    const r = preAudit({ ...input([line('1'), line('2', { injuryRelated: false })]), worker: null });
    expect(r.visitFindings.map((f) => f.code)).toEqual(['PERSON_NOT_VERIFIED']);
    expect(dispositions(r)).toEqual(['1:fund', '2:selfPay']);
    expect(r.totals).toMatchObject({ fundFen: 1000, selfPayFen: 1000 });
    expect(r.verdict.canSettle).toBe(false);
  });

  it('refuses a visit without lines', () => {
    const r = preAudit(input([]));
    expect(r.visitFindings.map((f) => f.code)).toEqual(['NO_FEE_LINES']);
    expect(r.verdict.canSettle).toBe(false);
  });

  it('stops charging the fund from the discharge-notice day of an admission', () => {
    const lines = ['2026-03-10', '2026-03-14', '2026-03-15', '2026-03-16'].map((d, n) =>
      line(String(n + 1), { serviceDate: d }),
    );
    const visit = {
      kind: 'inpatient',
      admissionDate: '2026-03-10',
      dischargeNoticeDate: '2026-03-15',
      hospitalCode: 'H64019900001',
    } as const;
    const r = preAudit({ ...input(lines), visit });
    expect(dispositions(r)).toEqual(['1:fund', '2:fund', '3:selfPay', '4:selfPay']);
    expect(r.verdict.canSettle).toBe(true);
  });

  it('judges a malformed line only as malformed, and counts its amount nowhere', () => {
    const r = preAudit(input([drug('1', { count: 'two', amountFen: Number.NaN })], { hisTotals: { totalFen: 0 } }));
    expect(r.lines[0].findings.map((f) => f.code)).toEqual(['LINE_DATA_INVALID']);
    expect(r.totals).toEqual({ lineSumFen: 0, fundFen: 0, selfPayFen: 0, refusedFen: 0, hospitalLossFen: 0 });
    expect(r.visitFindings).toEqual([]);
  });

  it('is pure: the same input gives the same answer and is left unchanged', () => {
    const i = input([line('1'), drug('2', { injuryRelated: false })]);
    const before = JSON.stringify({ ...i, catalogue: [...i.catalogue], traceCodes: [...i.traceCodes] });
    expect(preAudit(i)).toEqual(preAudit(i));
    expect(JSON.stringify({ ...i, catalogue: [...i.catalogue], traceCodes: [...i.traceCodes] })).toBe(before);
  });
});

import { codesNeeded, supplyFindings, traceCodeFindings } from './drug-rules';
import { DEFAULT_PRE_AUDIT_POLICY, type FeeLine } from './pre-audit-input';

const drug: FeeLine = {
  lineId: '5',
  hisItemCode: 'YP0002',
  itemName: '头孢克洛胶囊',
  kind: 'drug',
  count: '3',
  unitPriceFen: 2500,
  amountFen: 7500,
  serviceDate: '2026-03-10',
  injuryRelated: true,
  daysOfSupply: 7,
  supplyStatementPresent: false,
  selfPayConsentFormId: null,
};
const refuse = { missingTraceCodes: 'refuse' } as const;
const codes = (fs: readonly { code: string; severity?: string }[]) => fs.map((f) => `${f.code}:${f.severity}`);

describe('trace codes of drug lines (R4)', () => {
  it('needs one code per box, the count rounded up for a split package', () => {
    expect(codesNeeded(3000, { boxesExpected: 3, codesCaptured: 0 })).toBe(3);
    expect(codesNeeded(500, { boxesExpected: 1, codesCaptured: 0 })).toBe(1);
    expect(codesNeeded(1500, { boxesExpected: 1, codesCaptured: 0 })).toBe(2);
    expect(codesNeeded(2000, undefined)).toBe(2);
    expect(codesNeeded(2000, { boxesExpected: 3, codesCaptured: 0 })).toBe(3);
  });

  it('refuses missing codes by default, warns when the policy says warn', () => {
    const tally = { boxesExpected: 3, codesCaptured: 2 };
    expect(traceCodeFindings(drug, 3000, { ...tally, codesCaptured: 3 }, refuse)).toEqual([]);
    expect(codes(traceCodeFindings(drug, 3000, tally, refuse))).toEqual(['TRACE_CODES_MISSING:refuse']);
    const [warned] = traceCodeFindings(drug, 3000, tally, { missingTraceCodes: 'warn' });
    expect(warned).toMatchObject({ code: 'TRACE_CODES_MISSING', severity: 'warn', lineId: '5' });
    expect(warned.message).toContain('已采集药品追溯码 2 个，应采集 3 个');
    expect(codes(traceCodeFindings(drug, 3000, undefined, refuse))).toEqual(['TRACE_CODES_MISSING:refuse']);
  });

  it('counts a split package as ⌈count⌉ boxes', () => {
    const split = { ...drug, count: '1.5' };
    expect(codes(traceCodeFindings(split, 1500, { boxesExpected: 1, codesCaptured: 1 }, refuse))).toEqual([
      'TRACE_CODES_MISSING:refuse',
    ]);
    expect(traceCodeFindings(split, 1500, { boxesExpected: 1, codesCaptured: 2 }, refuse)).toEqual([]);
    expect(traceCodeFindings({ ...drug, count: '0.5' }, 500, { boxesExpected: 1, codesCaptured: 1 }, refuse)).toEqual(
      [],
    );
  });

  it('refuses more codes than boxes, which the insurer would refuse', () => {
    expect(codes(traceCodeFindings(drug, 3000, { boxesExpected: 3, codesCaptured: 4 }, refuse))).toEqual([
      'TRACE_CODES_EXCESS:refuse',
    ]);
  });

  it('asks nothing of services and materials', () => {
    expect(traceCodeFindings({ ...drug, kind: 'material' }, 3000, undefined, refuse)).toEqual([]);
    expect(traceCodeFindings({ ...drug, kind: 'service' }, 3000, undefined, refuse)).toEqual([]);
  });
});

describe('days of supply (R16, 协议 15)', () => {
  const policy = DEFAULT_PRE_AUDIT_POLICY;

  it('refuses more than the maximum without the statement, and with it too: 3 months is the limit', () => {
    expect(codes(supplyFindings({ ...drug, daysOfSupply: 91 }, policy))).toEqual(['SUPPLY_OVER_MAX:refuse']);
    expect(codes(supplyFindings({ ...drug, daysOfSupply: 91, supplyStatementPresent: true }, policy))).toEqual([
      'SUPPLY_OVER_MAX:refuse',
    ]);
    expect(supplyFindings({ ...drug, daysOfSupply: 90, supplyStatementPresent: true }, policy)).toEqual([]);
  });

  it('refuses a long supply without the statement', () => {
    expect(supplyFindings({ ...drug, daysOfSupply: 7 }, policy)).toEqual([]);
    expect(codes(supplyFindings({ ...drug, daysOfSupply: 30 }, policy))).toEqual(['SUPPLY_STATEMENT_MISSING:refuse']);
    expect(supplyFindings({ ...drug, daysOfSupply: 30, supplyStatementPresent: true }, policy)).toEqual([]);
    expect(supplyFindings({ ...drug, daysOfSupply: 30 }, { ...policy, statementRequiredOverDays: 30 })).toEqual([]);
  });

  it('ignores lines without a supply and non-drug lines', () => {
    expect(supplyFindings({ ...drug, daysOfSupply: null }, policy)).toEqual([]);
    expect(supplyFindings({ ...drug, kind: 'service', daysOfSupply: 365 }, policy)).toEqual([]);
  });
});

import type { FeeLine, PreAuditVisit } from './pre-audit-input';
import { catalogueFindings, dischargeNoticeFindings, injuryFindings } from './scope-rules';

const line: FeeLine = {
  lineId: '3',
  hisItemCode: 'FW0101',
  itemName: '换药（中）',
  kind: 'service',
  count: '1',
  unitPriceFen: 3000,
  amountFen: 3000,
  serviceDate: '2026-03-12',
  injuryRelated: true,
  daysOfSupply: null,
  supplyStatementPresent: false,
  selfPayConsentFormId: null,
};
const inpatient = (notice: string | null): PreAuditVisit => ({
  kind: 'inpatient',
  admissionDate: '2026-03-10',
  dischargeNoticeDate: notice,
  hospitalCode: 'H64010600001',
});
const codes = (fs: readonly { code: string }[]) => fs.map((f) => f.code);

describe('scope rules', () => {
  it('makes non-work-injury treatment self-pay (R8, 办法 15(3))', () => {
    expect(injuryFindings(line)).toEqual([]);
    expect(injuryFindings({ ...line, injuryRelated: false })).toEqual([
      expect.objectContaining({ code: 'NOT_INJURY_RELATED', severity: 'selfPay', lineId: '3' }),
    ]);
  });

  it('makes lines from the discharge-notice day on self-pay; the notice day itself is not paid (协议 13(4))', () => {
    expect(dischargeNoticeFindings({ ...line, serviceDate: '2026-03-11' }, inpatient('2026-03-12'))).toEqual([]);
    expect(codes(dischargeNoticeFindings({ ...line, serviceDate: '2026-03-12' }, inpatient('2026-03-12')))).toEqual([
      'AFTER_DISCHARGE_NOTICE',
    ]);
    const [f] = dischargeNoticeFindings({ ...line, serviceDate: '2026-03-13' }, inpatient('2026-03-12'));
    expect(f).toMatchObject({ code: 'AFTER_DISCHARGE_NOTICE', severity: 'selfPay' });
    expect(f.message).toMatch(/自通知之日起停止记账/);
    expect(dischargeNoticeFindings(line, inpatient(null))).toEqual([]);
    const outpatient: PreAuditVisit = { kind: 'outpatient', visitDate: '2026-03-12', hospitalCode: 'H64010600001' };
    expect(dischargeNoticeFindings(line, outpatient)).toEqual([]);
  });

  it('keeps a mapped item with its insurer code', () => {
    expect(catalogueFindings(line, { kind: 'mapped', insurerCode: '001201000010000' }, new Set())).toEqual({
      insurerCode: '001201000010000',
      findings: [],
    });
  });

  it("makes an item outside the catalogue self-pay, and the hospital's loss without signed consent (R7)", () => {
    const outside = { kind: 'outside' } as const;
    expect(codes(catalogueFindings(line, outside, new Set()).findings)).toEqual([
      'ITEM_OUTSIDE_CATALOGUE',
      'SELF_PAY_NOT_CONSENTED',
    ]);
    const consented = { ...line, selfPayConsentFormId: 'F-7' };
    expect(codes(catalogueFindings(consented, outside, new Set(['F-7'])).findings)).toEqual(['ITEM_OUTSIDE_CATALOGUE']);
    const unsigned = catalogueFindings(consented, outside, new Set(['F-8'])).findings;
    expect(unsigned[1]).toMatchObject({ code: 'SELF_PAY_NOT_CONSENTED', severity: 'hospitalLoss', lineId: '3' });
    expect(unsigned[1].message).toContain('确认书 F-7 尚未签署');
  });

  it('treats an unmapped item, or one the lookup does not know, as self-pay to be mapped (协议 19)', () => {
    for (const match of [{ kind: 'unmapped' } as const, undefined]) {
      const j = catalogueFindings(line, match, new Set());
      expect(j.insurerCode).toBeNull();
      expect(codes(j.findings)).toEqual(['ITEM_NOT_MAPPED', 'SELF_PAY_NOT_CONSENTED']);
      expect(j.findings[0]).toMatchObject({ severity: 'selfPay', message: expect.stringMatching(/编码比对/) });
    }
  });

  it('a mapping not valid on the line’s day puts the line outside the catalogue on that day', () => {
    const mapped = {
      kind: 'mapped' as const,
      insurerCode: '001203000010000',
      validFrom: '2026-01-01',
      validTo: '2026-03-11',
    };
    expect(catalogueFindings({ ...line, serviceDate: '2026-03-11' }, mapped, new Set())).toEqual({
      insurerCode: '001203000010000',
      findings: [],
    });
    const after = catalogueFindings(line, mapped, new Set());
    expect(after.insurerCode).toBeNull();
    expect(codes(after.findings)).toEqual(['ITEM_OUTSIDE_CATALOGUE', 'SELF_PAY_NOT_CONSENTED']);
    const before = catalogueFindings({ ...line, serviceDate: '2025-12-31' }, { ...mapped, validTo: null }, new Set());
    expect(codes(before.findings)).toEqual(['ITEM_OUTSIDE_CATALOGUE', 'SELF_PAY_NOT_CONSENTED']);
    expect(catalogueFindings(line, { ...mapped, validFrom: null, validTo: null }, new Set()).findings).toEqual([]);
  });
});

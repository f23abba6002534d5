import type { FeeLine } from './pre-audit-input';
import {
  catalogueMatchOf,
  dischargeBeforeAdmission,
  lineChange,
  openingDifferences,
  preAuditVisitOf,
  repeatedLineIds,
  traceTallies,
  type VisitOpening,
} from './visit-changes';

const opening: VisitOpening = {
  mdtrtId: 'ZY1',
  psnNo: 'P1',
  kind: 'inpatient',
  careType: 'medical',
  visitDate: null,
  admissionDate: '2026-11-20',
  ward: '骨科一病区',
  dept: '骨科',
  diagnosisCode: 'S62.600',
  diagnosisName: '手指骨折',
};
const line: FeeLine = {
  lineId: '1',
  hisItemCode: 'YP001',
  itemName: '布洛芬缓释胶囊',
  kind: 'drug',
  count: '1.5',
  unitPriceFen: 833,
  amountFen: 1250,
  serviceDate: '2026-11-21',
  injuryRelated: true,
  daysOfSupply: 5,
  supplyStatementPresent: false,
  selfPayConsentFormId: null,
};

describe('visit changes', () => {
  it('names the fields in which an opening differs; none for the same opening again', () => {
    expect(openingDifferences(opening, { ...opening })).toEqual([]);
    expect(openingDifferences(opening, { ...opening, psnNo: 'P2', ward: null })).toEqual(['psnNo', 'ward']);
  });

  it('finds discharge dates before the admission, the admission day itself allowed', () => {
    const base = { admissionDate: '2026-11-20', dischargeDate: null, dischargeNoticeDate: null };
    expect(dischargeBeforeAdmission({ ...base, dischargeDate: '2026-11-20' })).toEqual([]);
    expect(
      dischargeBeforeAdmission({ ...base, dischargeDate: '2026-11-19', dischargeNoticeDate: '2026-11-18' }),
    ).toEqual([
      { field: 'dischargeDate', date: '2026-11-19' },
      { field: 'dischargeNoticeDate', date: '2026-11-18' },
    ]);
    expect(dischargeBeforeAdmission({ ...base, admissionDate: null, dischargeDate: '2000-01-01' })).toEqual([]);
  });

  it('tells a new, repeated, corrected and reinstated line apart; counts compare as written', () => {
    expect(lineChange(undefined, line)).toBe('added');
    expect(lineChange({ ...line, state: 'active' }, { ...line })).toBe('unchanged');
    expect(lineChange({ ...line, state: 'active' }, { ...line, amountFen: 1249 })).toBe('corrected');
    expect(lineChange({ ...line, state: 'active' }, { ...line, count: '1.50' })).toBe('corrected');
    expect(lineChange({ ...line, state: 'active' }, { ...line, selfPayConsentFormId: 'F-1' })).toBe('corrected');
    expect(lineChange({ ...line, state: 'withdrawn' }, { ...line })).toBe('reinstated');
  });

  it('lists the later uses of a line id repeated in one batch', () => {
    expect(repeatedLineIds([{ lineId: 'a' }, { lineId: 'b' }, { lineId: 'a' }, { lineId: 'a' }])).toEqual([2, 3]);
    expect(repeatedLineIds([{ lineId: 'a' }, { lineId: 'b' }])).toEqual([]);
  });

  it('gives the pre-audit the visit by kind', () => {
    const stored = { ...opening, dischargeDate: null, dischargeNoticeDate: '2026-11-28' };
    expect(preAuditVisitOf(stored, 'H64010600001')).toEqual({
      kind: 'inpatient',
      admissionDate: '2026-11-20',
      dischargeNoticeDate: '2026-11-28',
      hospitalCode: 'H64010600001',
    });
    expect(preAuditVisitOf({ ...stored, kind: 'outpatient', visitDate: '2026-11-25' }, 'H1')).toEqual({
      kind: 'outpatient',
      visitDate: '2026-11-25',
      hospitalCode: 'H1',
    });
  });

  it('maps a catalogue row: none or no insurer code → unmapped, a code → mapped with its validity', () => {
    expect(catalogueMatchOf(undefined)).toEqual({ kind: 'unmapped' });
    expect(catalogueMatchOf({ medListCode: null, validFrom: null, validTo: null })).toEqual({ kind: 'unmapped' });
    expect(catalogueMatchOf({ medListCode: 'X1', validFrom: '2026-01-01', validTo: null })).toEqual({
      kind: 'mapped',
      insurerCode: 'X1',
      validFrom: '2026-01-01',
      validTo: null,
    });
  });

  it('tallies trace codes for drug lines only, by line number', () => {
    const tallies = traceTallies(
      [
        { lineId: '1', kind: 'drug' },
        { lineId: '2', kind: 'service' },
      ],
      [
        { lineNo: '1', needed: 2, held: 1 },
        { lineNo: '2', needed: 1, held: 0 },
        { lineNo: '9', needed: 1, held: 1 },
      ],
    );
    expect([...tallies]).toEqual([['1', { boxesExpected: 2, codesCaptured: 1 }]]);
  });
});

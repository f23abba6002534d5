import type { PreAuditVisit, WorkerFacts } from './pre-audit-input';
import { determinationFindings, placeFindings, visitDataFindings, visitFindings } from './visit-rules';

const HERE = 'H64010600001';
const outpatient: PreAuditVisit = { kind: 'outpatient', visitDate: '2026-03-10', hospitalCode: HERE };
const inpatient: PreAuditVisit = {
  kind: 'inpatient',
  admissionDate: '2026-03-10',
  dischargeNoticeDate: null,
  hospitalCode: HERE,
};
const worker: WorkerFacts = {
  injuryStatus: 'determined',
  injuryDate: '2026-03-01',
  signedInstitutionCodes: ['H64010600009', HERE],
  crossProvince: null,
};
const codes = (fs: readonly { code: string }[]) => fs.map((f) => f.code);

describe('visit rules', () => {
  it('a determined local worker at a signed hospital has no visit finding', () => {
    expect(visitFindings(outpatient, worker)).toEqual([]);
    expect(visitFindings(inpatient, worker)).toEqual([]);
  });

  it('refuses a pending determination, saying to pay as self-pay now and convert after (R10)', () => {
    const [f] = determinationFindings(outpatient, { ...worker, injuryStatus: 'pending' });
    expect(f).toMatchObject({ code: 'DETERMINATION_PENDING', severity: 'refuse', lineId: null });
    expect(f.message).toMatch(/先按自费结算/);
    expect(f.message).toMatch(/自费转工伤/);
  });

  it('refuses a worker without determination', () => {
    expect(determinationFindings(outpatient, { ...worker, injuryStatus: 'none' })).toEqual([
      expect.objectContaining({ code: 'NO_DETERMINATION', severity: 'refuse' }),
    ]);
  });

  it('refuses a visit before the injury date; the injury day itself is fine', () => {
    expect(codes(determinationFindings(outpatient, { ...worker, injuryDate: '2026-03-11' }))).toEqual([
      'VISIT_BEFORE_INJURY',
    ]);
    expect(determinationFindings(outpatient, { ...worker, injuryDate: '2026-03-10' })).toEqual([]);
    expect(codes(determinationFindings(inpatient, { ...worker, injuryDate: '2026-03-11' }))).toEqual([
      'VISIT_BEFORE_INJURY',
    ]);
    expect(determinationFindings(outpatient, { ...worker, injuryDate: null })).toEqual([]);
  });

  it('refuses an outpatient visit at a hospital the worker has not signed with; admission is not restricted', () => {
    const elsewhere = { ...worker, signedInstitutionCodes: ['H64010600009'] };
    expect(placeFindings(outpatient, elsewhere)).toEqual([
      expect.objectContaining({
        code: 'NOT_SIGNED_HERE',
        severity: 'refuse',
        message: expect.stringMatching(/住院不受此限/),
      }),
    ]);
    expect(placeFindings(inpatient, elsewhere)).toEqual([]);
    expect(placeFindings(outpatient, { ...worker, signedInstitutionCodes: [' h64010600001 '] })).toEqual([]);
  });

  it('exempts cross-province workers from signing but needs a filing covering the visit date (R11)', () => {
    const filing = { filingNo: 'BA001', validFrom: '2026-01-01', validTo: '2026-03-10' };
    const cross = { ...worker, signedInstitutionCodes: [], crossProvince: { filing } };
    expect(placeFindings(outpatient, cross)).toEqual([]);
    expect(placeFindings(inpatient, cross)).toEqual([]);
    expect(codes(placeFindings(outpatient, { ...cross, crossProvince: { filing: null } }))).toEqual([
      'CROSS_PROVINCE_NO_FILING',
    ]);
    const lapsed = { ...cross, crossProvince: { filing: { ...filing, validTo: '2026-03-09' } } };
    const [f] = placeFindings(outpatient, lapsed);
    expect(f).toMatchObject({ code: 'CROSS_PROVINCE_FILING_NOT_VALID', severity: 'refuse' });
    expect(f.message).toContain('2026-01-01 至 2026-03-09');
    const early = {
      ...cross,
      crossProvince: { filing: { ...filing, validFrom: '2026-03-11', validTo: '2026-12-31' } },
    };
    expect(codes(placeFindings(inpatient, early))).toEqual(['CROSS_PROVINCE_FILING_NOT_VALID']);
  });

  it('refuses dates that are not real days and a discharge notice before admission', () => {
    expect(codes(visitDataFindings({ ...outpatient, visitDate: '2026-02-30' }, worker))).toEqual([
      'VISIT_DATA_INVALID',
    ]);
    expect(codes(visitDataFindings({ ...inpatient, dischargeNoticeDate: '2026-03-09' }, worker))).toEqual([
      'VISIT_DATA_INVALID',
    ]);
    expect(codes(visitDataFindings(outpatient, { ...worker, injuryDate: '20260301' }))).toEqual(['VISIT_DATA_INVALID']);
    expect(codes(visitDataFindings({ ...outpatient, hospitalCode: ' ' }, worker))).toEqual(['VISIT_DATA_INVALID']);
  });

  it('without worker facts (no verification token) refuses with PERSON_NOT_VERIFIED instead of the person rules', () => {
    expect(codes(visitFindings(outpatient, null))).toEqual(['PERSON_NOT_VERIFIED']);
    expect(visitFindings(outpatient, null)[0]).toMatchObject({
      severity: 'refuse',
      lineId: null,
      message: expect.stringMatching(/核验人、卡、码/),
    });
    expect(codes(visitFindings({ ...inpatient, admissionDate: '2026-02-30' }, null))).toEqual([
      'VISIT_DATA_INVALID',
      'PERSON_NOT_VERIFIED',
    ]);
  });
});

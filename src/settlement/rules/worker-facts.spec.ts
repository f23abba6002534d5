import { workerFactsFromInsurer } from './worker-facts';

const injury = {
  status: 'determined' as const,
  determination_no: 'YC-2026-001',
  determination_date: '2026-03-05',
  injury_date: '2026-03-01',
  injured_parts: ['左手'],
  occupational_disease: null,
  disability_grade: null,
};
const signed = [{ fixmedins_code: 'H64010600001', fixmedins_name: '宁夏回族自治区人民医院', sign_date: '2026-01-02' }];

describe('worker facts from the 1101 answer', () => {
  it('reads a local worker', () => {
    expect(workerFactsFromInsurer({ injury, signed_institutions: signed, cross_province: null })).toEqual({
      injuryStatus: 'determined',
      injuryDate: '2026-03-01',
      signedInstitutionCodes: ['H64010600001'],
      crossProvince: null,
    });
  });

  it('reads a cross-province worker with and without a filing', () => {
    const filing = { filing_no: 'BA620100001', valid_from: '2026-01-01', valid_to: '2026-12-31' };
    expect(
      workerFactsFromInsurer({ injury, signed_institutions: [], cross_province: { insuplc_admdvs: '620100', filing } })
        .crossProvince,
    ).toEqual({ filing: { filingNo: 'BA620100001', validFrom: '2026-01-01', validTo: '2026-12-31' } });
    expect(
      workerFactsFromInsurer({
        injury: { ...injury, status: 'pending' },
        signed_institutions: [],
        cross_province: { insuplc_admdvs: '610100', filing: null },
      }),
    ).toMatchObject({ injuryStatus: 'pending', crossProvince: { filing: null } });
  });
});

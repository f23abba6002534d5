import { crossProvinceFilingProblem } from './cross-province-filing';

const filed = {
  cross_province: {
    insuplc_admdvs: '620100',
    filing: { filing_no: 'BA62010020260512003', valid_from: '2026-05-12', valid_to: '2030-12-31' },
  },
};

describe('the cross-province filing at admission and discharge (R11)', () => {
  it('has nothing to say about a worker insured in Ningxia', () => {
    expect(crossProvinceFilingProblem({ cross_province: null }, '2026-11-25')).toBeNull();
  });

  it('accepts a filing valid on the day, its first and last days included', () => {
    expect(crossProvinceFilingProblem(filed, '2026-05-12')).toBeNull();
    expect(crossProvinceFilingProblem(filed, '2030-12-31')).toBeNull();
  });

  it('refuses a cross-province worker without a filing', () => {
    expect(
      crossProvinceFilingProblem({ cross_province: { insuplc_admdvs: '610100', filing: null } }, '2026-11-25'),
    ).toEqual({ reason: 'no-filing', message: expect.stringContaining('未办理异地就医备案') as string });
  });

  it('refuses a day outside the filing, naming the filing and its validity', () => {
    expect(crossProvinceFilingProblem(filed, '2026-05-11')).toEqual({
      reason: 'not-valid',
      message: expect.stringContaining('BA62010020260512003，有效期 2026-05-12 至 2030-12-31') as string,
    });
    expect(crossProvinceFilingProblem(filed, '2031-01-01')?.reason).toBe('not-valid');
  });
});

import { DOCUMENTED_PROFILE, mappingProfile } from './profile';
import { INFNO, INFNO_NAMES } from './transactions';

describe(mappingProfile.name, () => {
  const sut = mappingProfile({
    name: 'ningxia-2027',
    infno: { '1101': 'NX1101', '2207': 'NX2207' },
    fields: { '2207': { psn_no: 'grbh', feedetail: 'fymx', drug_trac_codg: 'zsm' } },
  });

  it('maps transaction codes and renames fields at every depth, both ways', () => {
    expect(sut.wireInfno('2207')).toBe('NX2207');
    expect(sut.wireInfno('9201')).toBe('9201');
    const ours = { psn_no: 'P1', feedetail: [{ drug_trac_codg: ['81234567890123456789'], cnt: 1 }] };
    const wire = sut.encodeInput('2207', ours);
    expect(wire).toEqual({ grbh: 'P1', fymx: [{ zsm: ['81234567890123456789'], cnt: 1 }] });
    expect(sut.decodeOutput('2207', wire)).toEqual(ours);
    expect(sut.encodeInput('3201', ours)).toBe(ours);
  });

  it('refuses two transactions on one wire code', () => {
    expect(() => mappingProfile({ name: 'bad', infno: { '1101': 'X', '1161': 'X' } })).toThrow(/same wire code/);
  });

  it('the documented profile changes nothing', () => {
    expect(DOCUMENTED_PROFILE.encodeInput('2207', { a: 1 })).toEqual({ a: 1 });
    expect(DOCUMENTED_PROFILE.wireInfno('2207')).toBe('2207');
  });

  it('every transaction has a Chinese name and a profile can rename every one of them', () => {
    const codes = Object.values(INFNO);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Object.keys(INFNO_NAMES).sort()).toEqual([...codes].sort());
    expect(INFNO_NAMES['2208']).toBe('门诊结算撤销');
    const renamed = mappingProfile({
      name: 'all-renamed',
      infno: Object.fromEntries(codes.map((code) => [code, `NX${code}`])),
      fields: { '2401': { ipt_no: 'zyh' }, '2208': { setl_id: 'jsid' } },
    });
    for (const code of codes) {
      expect(renamed.wireInfno(code)).toBe(`NX${code}`);
    }
    expect(renamed.encodeInput('2401', { ipt_no: 'Z1', psn_no: 'P1' })).toEqual({ zyh: 'Z1', psn_no: 'P1' });
    expect(renamed.decodeOutput('2208', { jsid: 'CX1', init_setl_id: 'ST1' })).toEqual({
      setl_id: 'CX1',
      init_setl_id: 'ST1',
    });
  });
});

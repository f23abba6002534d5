import { birthDateOf, gb11643CheckCharacter, genderOf, isValidCertno } from './gb11643';
import { SANDBOX_HOSPITAL, SEED, SEED_PEOPLE } from './seed-people';

describe('GB 11643 check', () => {
  it('accepts the standard example and rejects a wrong check character or date', () => {
    expect(gb11643CheckCharacter('11010519491231002')).toBe('X');
    expect(isValidCertno('11010519491231002X')).toBe(true);
    expect(isValidCertno('110105194912310021')).toBe(false);
    expect(isValidCertno('110105194902300029')).toBe(false); // 30 February
    expect(isValidCertno('11010519491231002x')).toBe(false);
  });
});

describe('seed people', () => {
  it('all have valid ID numbers that agree with birth date and sex', () => {
    for (const p of SEED_PEOPLE) {
      expect({ name: p.psn_name, valid: isValidCertno(p.certno) }).toEqual({ name: p.psn_name, valid: true });
      expect(birthDateOf(p.certno)).toBe(p.brdy);
      expect(genderOf(p.certno)).toBe(p.gend);
    }
    expect(SEED_PEOPLE.some((p) => p.certno.endsWith('X'))).toBe(true);
  });

  it('have unique identifiers and well-formed cards', () => {
    for (const key of ['certno', 'psn_no'] as const) {
      expect(new Set(SEED_PEOPLE.map((p) => p[key])).size).toBe(SEED_PEOPLE.length);
    }
    expect(new Set(SEED_PEOPLE.map((p) => p.card.card_sn)).size).toBe(SEED_PEOPLE.length);
    for (const p of SEED_PEOPLE) {
      expect(p.card.card_sn).toMatch(/^\d{6}D156[0-9A-F]{22}$/);
      expect(p.card.card_no).toHaveLength(9);
      expect(p.signed_institutions.length).toBeLessThanOrEqual(3);
    }
  });

  it('cover the situations the gateway must handle', () => {
    expect(SEED.dotName.psn_name).toContain('·');
    expect(SEED.rareName.psn_name).toBe('禤䶮');
    expect(new Set(SEED_PEOPLE.map((p) => p.psn_type))).toEqual(new Set(['在职', '退休', '老工伤', null]));
    expect(SEED.retiredDisease.injury.occupational_disease).not.toBeNull();
    expect(SEED.threeSigned.signed_institutions.map((s) => s.fixmedins_code)).not.toContain(
      SANDBOX_HOSPITAL.fixmedins_code,
    );
    expect(SEED.threeSigned.signed_institutions).toHaveLength(3);
    expect(SEED.pending.injury.status).toBe('pending');
    expect(SEED.crossWithFiling.cross_province?.filing).not.toBeNull();
    expect(SEED.crossNoFiling.cross_province).toEqual({ insuplc_admdvs: '610100', filing: null });
    expect(SEED.lostCard.card.status).toBe('lost');
    expect(SEED.expiredCard.card.valid_until < '2026-01-01').toBe(true);
    expect(SEED.uninsured.insured).toBe(false);
  });
});

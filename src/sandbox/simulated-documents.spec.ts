import { SEED } from './seed-people';
import { SANDBOX_PEOPLE } from './simulated-documents';

describe('the sandbox people as the simulated devices see them', () => {
  it('finds a person by role, ID number or 个人编号 and builds their documents', () => {
    const p = SEED.activeFingers;
    for (const ref of ['activeFingers', p.certno, p.psn_no]) {
      const person = SANDBOX_PEOPLE.find(ref);
      expect(person?.name).toBe(p.psn_name);
      expect(person?.idCard().idNumber).toBe(p.certno);
      expect(person?.ssseCard().card.cardSn).toBe(p.card.card_sn);
    }
    expect(SANDBOX_PEOPLE.find('nobody')).toBeUndefined();
    expect(SANDBOX_PEOPLE.roles()).toContain('activeFingers');
  });
});

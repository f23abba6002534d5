import type { IdCardTextFields } from '../../drivers/protocols/id-card-frame';
import type { SsseCard } from '../../drivers/protocols/ssse-card';
import type { SimulatedPeople } from '../devices/simulated/simulated-parts';
import { SEED, SeedPerson } from './seed-people';

/**
 * The documents a sandbox person carries, for the simulated devices: the resident ID card and
 * the social-security card, built from the seed so that what a simulated reader reads is what
 * the sandbox insurer knows. Fields the seed does not hold (address, issuing office, validity,
 * issuer number) are fixed, plausible demo values.
 */

export type SeedRole = keyof typeof SEED;

/** A seed person by role (`activeFingers`), ID number or 个人编号; undefined when none matches. */
export function findSeedPerson(ref: string): SeedPerson | undefined {
  if (Object.hasOwn(SEED, ref)) {
    return SEED[ref as SeedRole];
  }
  return Object.values(SEED).find((p) => p.certno === ref.toUpperCase() || p.psn_no === ref);
}

export function seedRoles(): string[] {
  return Object.keys(SEED);
}

export function idCardOf(person: SeedPerson): IdCardTextFields {
  const issued = person.card.issue_date;
  return {
    name: person.psn_name,
    sexCode: person.gend,
    nationCode: person.naty,
    birthDate: person.brdy,
    address: '宁夏回族自治区银川市兴庆区解放西路１号',
    idNumber: person.certno,
    issuingAuthority: '银川市公安局兴庆区分局',
    validFrom: issued,
    validTo: `${Number(issued.slice(0, 4)) + 20}${issued.slice(4)}`,
  };
}

export function ssseCardOf(person: SeedPerson): { card: SsseCard; generation: 2 | 3 } {
  const { card } = person;
  return {
    generation: card.card_version === '3.00' ? 3 : 2,
    card: {
      cardSn: card.card_sn,
      region: card.card_sn.slice(0, 6),
      cardType: '3',
      specVersion: card.card_version,
      issuer: `${card.card_sn.slice(0, 6)}000000000000000001`,
      issueDate: card.issue_date,
      validUntil: card.valid_until,
      cardNo: card.card_no,
      ssn: person.certno,
      name: person.psn_name,
      sex: person.gend,
      nation: person.naty,
      birthPlace: person.certno.slice(0, 6),
      birthDate: person.brdy,
    },
  };
}

/** The sandbox's seed people, as the simulated devices see them (the composition root hands this over). */
export const SANDBOX_PEOPLE: SimulatedPeople = {
  find(ref) {
    const person = findSeedPerson(ref);
    return person === undefined
      ? undefined
      : { name: person.psn_name, idCard: () => idCardOf(person), ssseCard: () => ssseCardOf(person) };
  },
  roles: seedRoles,
};

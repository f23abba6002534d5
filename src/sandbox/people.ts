import { SeedPerson } from './seed-people';

/** The insurer's register of people, looked up by ID number, card or person number. */
export class PeopleDirectory {
  private readonly byCertno = new Map<string, SeedPerson>();
  private readonly byCardSn = new Map<string, SeedPerson>();
  private readonly byPsnNo = new Map<string, SeedPerson>();

  constructor(people: readonly SeedPerson[]) {
    for (const original of people) {
      // A private copy: a spec that edits a seed object must not change a running insurer.
      const person = structuredClone(original);
      this.byCertno.set(person.certno, person);
      this.byCardSn.set(person.card.card_sn, person);
      this.byPsnNo.set(person.psn_no, person);
    }
  }

  byCertNo(certno: string): SeedPerson | undefined {
    return this.byCertno.get(certno);
  }

  byCard(cardSn: string): SeedPerson | undefined {
    return this.byCardSn.get(cardSn);
  }

  byPersonNo(psnNo: string): SeedPerson | undefined {
    return this.byPsnNo.get(psnNo);
  }

  all(): SeedPerson[] {
    return [...this.byPsnNo.values()];
  }
}

import { isFields } from './input-fields';
import { SeedInjury, SeedPerson } from './seed-people';

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

  /**
   * Changes a person's injury record as the insurer's staff would (a determination made, 认定结论
   * registered): every later answer (1101, settlements) sees it. Undefined for an unknown certno.
   */
  updateInjury(certno: string, patch: Partial<SeedInjury>): SeedInjury | undefined {
    const person = this.byCertno.get(certno);
    if (person === undefined) {
      return undefined;
    }
    person.injury = { ...person.injury, ...patch };
    return person.injury;
  }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A partial SeedInjury from a control request's body, or what is wrong with it (English). */
export function parseInjuryPatch(body: unknown): Partial<SeedInjury> | string {
  if (!isFields(body)) {
    return 'body must be a JSON object (fields of the injury record)';
  }
  const out: Partial<SeedInjury> = {};
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case 'status':
        if (value !== 'determined' && value !== 'pending' && value !== 'none') {
          return "status must be 'determined', 'pending' or 'none'";
        }
        out.status = value;
        break;
      case 'determination_date':
      case 'injury_date':
        if (value !== null && (typeof value !== 'string' || !DAY.test(value))) {
          return `${key} must be YYYY-MM-DD or null`;
        }
        out[key] = value;
        break;
      case 'determination_no':
      case 'occupational_disease':
        if (value !== null && typeof value !== 'string') {
          return `${key} must be a string or null`;
        }
        out[key] = value;
        break;
      case 'injured_parts':
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
          return 'injured_parts must be an array of strings';
        }
        out.injured_parts = value as string[];
        break;
      case 'disability_grade':
        if (value !== null && (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 10)) {
          return 'disability_grade must be 1-10 or null';
        }
        out.disability_grade = value as number | null;
        break;
      default:
        return `unknown field ${key}`;
    }
  }
  return out;
}

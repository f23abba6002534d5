import type { IdCardTextFields } from '../../../drivers/protocols/id-card-frame';
import type { SsseCard } from '../../../drivers/protocols/ssse-card';

/**
 * What simulated devices need from whoever runs them (in sandbox mode, the sandbox): the devices
 * capability defines these seams and knows nothing of the sandbox; the composition root supplies them.
 */

/** A person whose documents a simulated reader can be shown. */
export interface SimulatedPerson {
  readonly name: string;
  idCard(): IdCardTextFields;
  ssseCard(): { card: SsseCard; generation: 2 | 3 };
}

/** The people known to the simulation, by role, ID number or 个人编号. */
export interface SimulatedPeople {
  find(ref: string): SimulatedPerson | undefined;
  /** The role names, for a refusal that says what exists. */
  roles(): string[];
}

export const SIMULATED_PEOPLE = Symbol('SimulatedPeople');

/**
 * The secret of the insurer HSM that simulated 3rd-generation cards are keyed for (so that a simulated
 * card authenticates against a simulated insurer). Optional: without it, simulated cards carry no HSM keys.
 */
export const SIMULATED_CARD_HSM_SECRET = Symbol('SimulatedCardHsmSecret');

import type { PiiCryptoService } from '../platform';
import { normalizedIdNumber } from './rules/normalize';

/**
 * The PII domain of a person's ID number: the keyed-hash domain of the person key, and the audit
 * subject domain for any record about that person (identity sessions, forms, settlement).
 */
export const PERSON_KEY_DOMAIN = 'person.idNumber';

/**
 * The ID number as the gateway keys it: a valid GB 11643 number normalized (trimmed, upper-case X),
 * anything else trimmed and upper-cased, so the same person gives the same key wherever it is typed.
 */
export function personKeyText(idNumber: string): string {
  const id = normalizedIdNumber(idNumber);
  return id.valid ? id.value : idNumber.trim().toUpperCase();
}

/** The one person key: a keyed hash of the normalized ID number (never the number itself). */
export function personKey(pii: Pick<PiiCryptoService, 'hash'>, idNumber: string): string {
  return pii.hash(personKeyText(idNumber), PERSON_KEY_DOMAIN);
}

/**
 * Every person key this person may be stored under while an older lookup key is still in the keyring
 * (during a rotation's re-encryption), the current one first: compare with "∈", query with IN (…).
 */
export function personKeys(pii: Pick<PiiCryptoService, 'hashes'>, idNumber: string): string[] {
  return pii.hashes(personKeyText(idNumber), PERSON_KEY_DOMAIN);
}

/** The audit subject for a person: the normalized number, which the audit log stores encrypted. */
export function personSubject(idNumber: string): { value: string; domain: string } {
  return { value: personKeyText(idNumber), domain: PERSON_KEY_DOMAIN };
}

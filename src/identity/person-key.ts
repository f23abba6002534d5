import type { PiiCryptoService, PiiLookupColumn } from '../platform';
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

/**
 * The values a person key in a row may be the hash of, read from the row's decrypted JSON: every
 * string in it, as `personKey` hashes an ID number (the key rotation's re-encryption finds the one
 * whose hash is stored and hashes it again with the active lookup key). Valid ID numbers come first,
 * so the match is usually the first value tried.
 */
export function personKeyCandidates(plaintext: string): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.length >= 6 && value.length <= 40) {
        found.add(personKeyText(value));
      }
    } else if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === 'object') {
      Object.values(value).forEach(walk);
    }
  };
  walk(JSON.parse(plaintext));
  const all = [...found];
  const valid = all.filter((v) => normalizedIdNumber(v).valid);
  return [...valid, ...all.filter((v) => !valid.includes(v))];
}

/** The person-key column of a table whose encrypted column holds the person's ID number (as JSON). */
export function personKeyLookup(column: string): PiiLookupColumn {
  return { column, domain: PERSON_KEY_DOMAIN, candidates: personKeyCandidates };
}

/** The audit subject for a person: the normalized number, which the audit log stores encrypted. */
export function personSubject(idNumber: string): { value: string; domain: string } {
  return { value: personKeyText(idNumber), domain: PERSON_KEY_DOMAIN };
}

import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The two secrets of desk agents.
 *
 * **Enrolment code**: what IT reads out or writes on a note for the desk PC, so it is short and
 * unambiguous: 10 characters from 31 (no 0/O, 1/I/L), shown as `XXXXX-XXXXX` — about 49.5 bits. It
 * lives at most a day (default an hour) and works once, so guessing is pointless: a million guesses a
 * second for an hour finds a given code with a chance of about 1 in 200,000, and every wrong guess is
 * audited. It is stored as a keyed hash (HMAC with the keyring's hash key, a server-side pepper), so a
 * copy of the database alone does not let anyone brute-force the short code offline.
 *
 * **Credential**: what the agent keeps (file mode 0600) and presents on every connection:
 * `gwa_<agent id, 32 hex>_<secret, 32 random bytes base64url>`, the same shape and care as API keys
 * (`gwk_…`): the id finds the row, the secret is checked against its SHA-256 in constant time. A prefix
 * that says what the string is lets secret scanners and people recognise a leaked one.
 */
export const ENROLMENT_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const ENROLMENT_CODE_LENGTH = 10;

/** A new enrolment code, grouped for reading: `K7MQ2-XW9RB`. */
export function newEnrolmentCode(): string {
  let code = '';
  for (let i = 0; i < ENROLMENT_CODE_LENGTH; i++) {
    code += ENROLMENT_ALPHABET[randomInt(ENROLMENT_ALPHABET.length)];
  }
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/**
 * The code as typed at a desk PC, in its one canonical form (upper case, no spaces or dashes), or
 * undefined when it cannot be a code. Lower case, full-width characters and a missing or extra dash
 * are all forgiven.
 */
export function normalizeEnrolmentCode(typed: string): string | undefined {
  const code = typed
    .normalize('NFKC')
    .replace(/[\s-]+/g, '')
    .toUpperCase();
  if (code.length !== ENROLMENT_CODE_LENGTH) {
    return undefined;
  }
  for (const ch of code) {
    if (!ENROLMENT_ALPHABET.includes(ch)) {
      return undefined;
    }
  }
  return code;
}

const CREDENTIAL = /^gwa_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface ParsedCredential {
  agentId: string;
  secret: string;
}

/** A new credential for agent `agentId` (a uuid). */
export function newCredential(agentId: string): { secret: string; credential: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, credential: `gwa_${agentId.replace(/-/g, '')}_${secret}` };
}

export function parseCredential(credential: string): ParsedCredential | undefined {
  const match = CREDENTIAL.exec(credential.trim());
  if (!match) {
    return undefined;
  }
  const hex = match[1];
  const agentId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { agentId, secret: match[2] };
}

/** Hex SHA-256 of a credential's secret: 256 random bits need no slow hash. */
export function hashCredentialSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function credentialSecretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashCredentialSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

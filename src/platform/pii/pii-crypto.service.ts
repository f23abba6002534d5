import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring';

const FORMAT = 'pii1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PiiDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiDecryptError';
  }
}

/**
 * Encrypts personal fields at rest and computes keyed hashes for looking them up.
 *
 * Ciphertext: `pii1:<keyId>:<base64url(iv ‖ tag ‖ ciphertext)>`, AES-256-GCM. The key id
 * travels with the value so keys can rotate: new values use the active key, old ones still
 * decrypt with theirs. `context` (e.g. "worker.name") is bound as additional data, so a
 * ciphertext copied into another column does not decrypt there.
 *
 * Lookups use HMAC-SHA256 over a normalised value with a key that never rotates; `domain`
 * separates kinds of value, so the same digits as an ID number and as a phone hash apart.
 */
export class PiiCryptoService {
  constructor(private readonly keyring: Keyring) {}

  get activeKeyId(): string {
    return this.keyring.activeKeyId;
  }

  encrypt(plaintext: string, context: string): string {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.keys.get(keyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const payload = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
    return `${FORMAT}:${keyId}:${payload}`;
  }

  decrypt(value: string, context: string): string {
    const [format, keyId, payload] = value.split(':');
    if (format !== FORMAT || !keyId || payload === undefined) {
      throw new PiiDecryptError('not a PII ciphertext');
    }
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new PiiDecryptError(`PII key ${keyId} is not in the keyring — restore it from the keyring backup`);
    }
    const raw = Buffer.from(payload, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) {
      throw new PiiDecryptError('PII ciphertext is truncated');
    }
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new PiiDecryptError('PII ciphertext failed authentication (wrong key, wrong context or tampered)');
    }
  }

  /** The key id a stored ciphertext was made with (to find rows still on an old key). */
  keyIdOf(value: string): string | undefined {
    const [format, keyId] = value.split(':');
    return format === FORMAT ? keyId : undefined;
  }

  /** Keyed hash for equality lookups; hex, 64 characters. */
  hash(value: string, domain: string): string {
    return createHmac('sha256', this.keyring.hmacKey)
      .update(`${domain}\u0000${normalizeForHash(value)}`, 'utf8')
      .digest('hex');
  }
}

/** Full-width forms to ASCII, trimmed, upper-case: 11010519491231002x and １１０…２Ｘ hash alike. */
export function normalizeForHash(value: string): string {
  return value.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

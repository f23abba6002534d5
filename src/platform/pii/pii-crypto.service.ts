import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { sm3, sm4 } from 'sm-crypto-v2';
import type { PiiCipher } from '../config/gateway-config';
import { type CipherKey, type Keyring, KeyringError, type LookupKey } from './keyring';

const LEGACY_FORMAT = 'pii1';
const FORMAT = 'pii2';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** How often a value made with an unknown key may make the service read the keyring file again. */
const REREAD_INTERVAL_MS = 1000;

/** The cipher's name inside a `pii2:` ciphertext. */
const CIPHER_TAGS: Readonly<Record<PiiCipher, string>> = { 'sm4-gcm': 'sm4', 'aes-256-gcm': 'aes' };
const CIPHER_OF_TAG = new Map<string, PiiCipher>(
  Object.entries(CIPHER_TAGS).map(([cipher, tag]) => [tag, cipher as PiiCipher]),
);

export class PiiDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PiiDecryptError';
  }
}

/** What a stored ciphertext says about itself. */
export interface CiphertextLabel {
  readonly algorithm: PiiCipher;
  readonly keyId: string;
  readonly payload: string;
}

/**
 * Encrypts personal fields at rest and computes keyed hashes for looking them up.
 *
 * Ciphertext: `pii2:<sm4|aes>:<keyId>:<base64url(iv ‖ tag ‖ ciphertext)>` — SM4-GCM or AES-256-GCM;
 * the older `pii1:<keyId>:<…>` is AES-256-GCM and still read. The algorithm and key id travel with
 * the value so keys can rotate: new values use the active key, old ones still decrypt with theirs,
 * and a value whose algorithm is not its key's is refused. `context` (e.g. "worker.name") is bound
 * as additional data, so a ciphertext copied into another column does not decrypt there.
 *
 * Lookups use a keyed hash (HMAC-SM3 or HMAC-SHA256, the active lookup key's) over a normalised
 * value; `domain` separates kinds of value, so the same digits as an ID number and as a phone hash
 * apart. While older lookup keys are in the keyring, `hashes` gives every hash a stored value may
 * have, the active one first.
 */
export class PiiCryptoService {
  private readonly activeLookup: LookupKey;
  /** Active lookup key first, then the others newest first. */
  private lookupOrder: LookupKey[];

  private lastReread = Number.NEGATIVE_INFINITY;

  /**
   * `reread`, when given, reads the keyring again from where it came from (the keyring file): a value
   * made with a key this instance does not know makes it look there (at most once a second), so an
   * instance not yet restarted after a rotation reads what restarted ones write (see `learnKeys`).
   */
  constructor(
    private readonly keyring: Keyring,
    private readonly reread?: () => Keyring,
  ) {
    this.activeLookup = keyring.lookupKeys.find((k) => k.id === keyring.activeLookupId) as LookupKey;
    this.lookupOrder = this.orderLookups();
  }

  /**
   * Adds the keys of `next` (the same keyring, rotated) that this one lacks — cipher keys for reading,
   * lookup keys for `hashes` — and returns their ids. The active keys stay: values are still written
   * with this instance's active key until it restarts with the new keyring. A key id whose material
   * differs from the one held here is not taken (a different keyring, not a rotation of this one).
   */
  learnKeys(next: Keyring): string[] {
    const learnt: string[] = [];
    for (const [id, key] of next.keys) {
      const held = this.keyring.keys.get(id);
      if (held === undefined) {
        this.keyring.keys.set(id, key);
        learnt.push(id);
      } else if (held.algorithm !== key.algorithm || !held.key.equals(key.key)) {
        throw new KeyringError(
          `PII key ${id} in the re-read keyring differs from the one in use — not the same keyring`,
        );
      }
    }
    for (const key of next.lookupKeys) {
      const held = this.keyring.lookupKeys.find((k) => k.id === key.id);
      if (held === undefined) {
        // Appended: the first lookup key (stableHash) never changes.
        this.keyring.lookupKeys.push(key);
        learnt.push(key.id);
      } else if (held.algorithm !== key.algorithm || !held.key.equals(key.key)) {
        throw new KeyringError(
          `PII lookup key ${key.id} in the re-read keyring differs from the one in use — not the same keyring`,
        );
      }
    }
    this.lookupOrder = this.orderLookups();
    return learnt;
  }

  /** Reads the keyring again (when it came from a file) and learns its new keys; the ids learnt. */
  refresh(): string[] {
    this.lastReread = Date.now();
    return this.reread ? this.learnKeys(this.reread()) : [];
  }

  private orderLookups(): LookupKey[] {
    return [this.activeLookup, ...[...this.keyring.lookupKeys].reverse().filter((k) => k !== this.activeLookup)];
  }

  get activeKeyId(): string {
    return this.keyring.activeKeyId;
  }

  get activeAlgorithm(): PiiCipher {
    return this.activeKey.algorithm;
  }

  get activeLookupId(): string {
    return this.activeLookup.id;
  }

  /** Every key id of the keyring, in the keyring's order. */
  get keyIds(): string[] {
    return [...this.keyring.keys.keys()];
  }

  /** The prefix every ciphertext made now starts with (`pii2:sm4:<keyId>:`). */
  get activePrefix(): string {
    return `${FORMAT}:${CIPHER_TAGS[this.activeAlgorithm]}:${this.activeKeyId}:`;
  }

  /** The prefixes a ciphertext made with `keyId` may start with (both formats for an AES key). */
  prefixesOf(keyId: string): string[] {
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      return [];
    }
    const current = `${FORMAT}:${CIPHER_TAGS[key.algorithm]}:${keyId}:`;
    return key.algorithm === 'aes-256-gcm' ? [current, `${LEGACY_FORMAT}:${keyId}:`] : [current];
  }

  encrypt(plaintext: string, context: string): string {
    const { id, algorithm, key } = this.activeKey;
    const iv = randomBytes(IV_BYTES);
    const aad = Buffer.from(context, 'utf8');
    const data = Buffer.from(plaintext, 'utf8');
    let tag: Uint8Array;
    let ciphertext: Uint8Array;
    if (algorithm === 'sm4-gcm') {
      const sealed = sm4.encrypt(data, key, { mode: 'gcm', iv, associatedData: aad, outputTag: true, output: 'array' });
      ciphertext = sealed.output;
      tag = sealed.tag as Uint8Array;
    } else {
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
      tag = cipher.getAuthTag();
    }
    const payload = Buffer.concat([iv, tag, ciphertext]).toString('base64url');
    return `${FORMAT}:${CIPHER_TAGS[algorithm]}:${id}:${payload}`;
  }

  decrypt(value: string, context: string): string {
    const label = this.labelOf(value);
    if (!label) {
      throw new PiiDecryptError('not a PII ciphertext');
    }
    const key = this.keyring.keys.get(label.keyId) ?? this.rereadFor(label.keyId);
    if (!key) {
      throw new PiiDecryptError(`PII key ${label.keyId} is not in the keyring — restore it from the keyring backup`);
    }
    if (key.algorithm !== label.algorithm) {
      throw new PiiDecryptError(
        `PII ciphertext says ${label.algorithm} but key ${label.keyId} is ${key.algorithm} — refused (altered value or altered keyring)`,
      );
    }
    const raw = Buffer.from(label.payload, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) {
      throw new PiiDecryptError('PII ciphertext is truncated');
    }
    try {
      return this.open(key, raw, Buffer.from(context, 'utf8')).toString('utf8');
    } catch {
      throw new PiiDecryptError('PII ciphertext failed authentication (wrong key, wrong context or tampered)');
    }
  }

  /** The algorithm and key id a stored ciphertext names, or undefined when it is not one. */
  labelOf(value: string): CiphertextLabel | undefined {
    const parts = value.split(':');
    if (parts[0] === LEGACY_FORMAT && parts.length === 3 && parts[1] !== '') {
      return { algorithm: 'aes-256-gcm', keyId: parts[1], payload: parts[2] };
    }
    const algorithm = CIPHER_OF_TAG.get(parts[1] ?? '');
    if (parts[0] === FORMAT && parts.length === 4 && algorithm !== undefined && parts[2] !== '') {
      return { algorithm, keyId: parts[2], payload: parts[3] };
    }
    return undefined;
  }

  /** The key id a stored ciphertext was made with (to find rows still on an old key). */
  keyIdOf(value: string): string | undefined {
    return this.labelOf(value)?.keyId;
  }

  /** Keyed hash for equality lookups with the active lookup key; hex, 64 characters. What new rows store. */
  hash(value: string, domain: string): string {
    return hashWith(this.activeLookup, value, domain);
  }

  /**
   * Every keyed hash `value` may be stored under while older lookup keys are in the keyring, the
   * active one first: compare a stored hash with "∈ hashes", query with IN (…).
   */
  hashes(value: string, domain: string): string[] {
    return this.lookupOrder.map((k) => hashWith(k, value, domain));
  }

  /** The hash under one lookup key (the re-encryption job finds which key a stored hash was made with). */
  hashWithLookupKey(lookupId: string, value: string, domain: string): string {
    const key = this.keyring.lookupKeys.find((k) => k.id === lookupId);
    if (!key) {
      throw new Error(`no lookup key ${lookupId} in the keyring`);
    }
    return hashWith(key, value, domain);
  }

  /**
   * A hash that never changes while the keyring lives, whatever the active lookup key: made with the
   * first (oldest) lookup key — for secrets derived from the keyring, such as the verification-token
   * secret, which must survive a rotation. For a keyring made before SM4 it equals the old `hash`.
   */
  stableHash(value: string, domain: string): string {
    return hashWith(this.keyring.lookupKeys[0], value, domain);
  }

  /** A key another instance may already use after a rotation: look in the keyring file again (once a second at most). */
  private rereadFor(keyId: string): CipherKey | undefined {
    if (!this.reread || Date.now() - this.lastReread < REREAD_INTERVAL_MS) {
      return undefined;
    }
    try {
      this.refresh();
    } catch {
      return undefined; // unreadable or a different keyring: the caller's error names the missing key
    }
    return this.keyring.keys.get(keyId);
  }

  private get activeKey(): CipherKey {
    return this.keyring.keys.get(this.keyring.activeKeyId) as CipherKey;
  }

  private open(key: CipherKey, raw: Buffer, aad: Buffer): Buffer {
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const ciphertext = raw.subarray(IV_BYTES + TAG_BYTES);
    if (key.algorithm === 'sm4-gcm') {
      return Buffer.from(
        sm4.decrypt(ciphertext, key.key, { mode: 'gcm', iv, associatedData: aad, tag, output: 'array' }),
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  }
}

function hashWith(key: LookupKey, value: string, domain: string): string {
  const text = `${domain}\u0000${normalizeForHash(value)}`;
  if (key.algorithm === 'hmac-sm3') {
    return sm3(Buffer.from(text, 'utf8'), { key: key.key, mode: 'hmac' });
  }
  return createHmac('sha256', key.key).update(text, 'utf8').digest('hex');
}

/** Full-width forms to ASCII, trimmed, upper-case: 11010519491231002x and １１０…２Ｘ hash alike. */
export function normalizeForHash(value: string): string {
  return value.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

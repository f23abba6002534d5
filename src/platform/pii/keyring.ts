import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { type PiiCipher, PiiConfig, PiiKeyringConfig, type PiiLookupAlgorithm } from '../config/gateway-config';

/** The id the keyring's `hmacKey` has among the lookup keys (keyrings made before SM4). */
export const LEGACY_LOOKUP_ID = 'legacy';

/** Key bytes per cipher: SM4 has a 128-bit key, AES-256 a 256-bit one. */
export const CIPHER_KEY_BYTES: Readonly<Record<PiiCipher, number>> = { 'sm4-gcm': 16, 'aes-256-gcm': 32 };

/** The lookup algorithm that goes with a cipher: the national pair, or the international one. */
export const LOOKUP_FOR_CIPHER: Readonly<Record<PiiCipher, PiiLookupAlgorithm>> = {
  'sm4-gcm': 'hmac-sm3',
  'aes-256-gcm': 'hmac-sha256',
};

const LOOKUP_KEY_MIN_BYTES = 32;

export interface CipherKey {
  readonly id: string;
  readonly algorithm: PiiCipher;
  readonly key: Buffer;
}

export interface LookupKey {
  readonly id: string;
  readonly algorithm: PiiLookupAlgorithm;
  readonly key: Buffer;
}

/** Decoded key material. */
export interface Keyring {
  activeKeyId: string;
  keys: Map<string, CipherKey>;
  /** Oldest first; the legacy `hmacKey`, when there is one, is the first. */
  lookupKeys: LookupKey[];
  activeLookupId: string;
}

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

/**
 * A new keyring document with one fresh key, as written by `gateway pii init` and sandbox start-up:
 * SM4-GCM with an HMAC-SM3 lookup key unless asked otherwise.
 */
export function generateKeyringDocument(keyId = newKeyId('k'), algorithm: PiiCipher = 'sm4-gcm'): PiiKeyringConfig {
  const key = { id: keyId, algorithm, key: randomBytes(CIPHER_KEY_BYTES[algorithm]).toString('base64') };
  if (algorithm === 'aes-256-gcm') {
    return { active: keyId, keys: [key], hmacKey: randomBytes(LOOKUP_KEY_MIN_BYTES).toString('base64') };
  }
  const lookup = newLookupKey(LOOKUP_FOR_CIPHER[algorithm]);
  return { active: keyId, keys: [key], lookupKeys: [lookup], activeLookup: lookup.id };
}

/**
 * Adds a fresh key (of `algorithm`, by default the active key's) and makes it active; old keys stay so
 * existing ciphertexts still decrypt. The lookup key changes only when the lookup algorithm does
 * (AES → SM4 brings HMAC-SM3): a rotation between two SM4 keys keeps every stored hash valid.
 */
export function rotateKeyringDocument(
  doc: PiiKeyringConfig,
  options: { keyId?: string; algorithm?: PiiCipher } = {},
): PiiKeyringConfig {
  const current = decodeKeyring(doc);
  const keyId = options.keyId ?? newKeyId('k');
  if (current.keys.has(keyId)) {
    throw new KeyringError(`key id ${keyId} is already in the keyring`);
  }
  const algorithm = options.algorithm ?? (current.keys.get(current.activeKeyId) as CipherKey).algorithm;
  const next: PiiKeyringConfig = {
    ...doc,
    active: keyId,
    keys: [...doc.keys, { id: keyId, algorithm, key: randomBytes(CIPHER_KEY_BYTES[algorithm]).toString('base64') }],
  };
  const wanted = LOOKUP_FOR_CIPHER[algorithm];
  const activeLookup = current.lookupKeys.find((k) => k.id === current.activeLookupId) as LookupKey;
  if (activeLookup.algorithm !== wanted) {
    // Back to an algorithm used before: its newest lookup key again (the hashes made with it stay valid).
    const earlier = [...current.lookupKeys].reverse().find((k) => k.algorithm === wanted);
    if (earlier) {
      next.activeLookup = earlier.id;
    } else {
      const lookup = newLookupKey(wanted);
      next.lookupKeys = [...(doc.lookupKeys ?? []), lookup];
      next.activeLookup = lookup.id;
    }
  }
  return next;
}

function newLookupKey(algorithm: PiiLookupAlgorithm): { id: string; algorithm: PiiLookupAlgorithm; key: string } {
  return { id: newKeyId('h'), algorithm, key: randomBytes(LOOKUP_KEY_MIN_BYTES).toString('base64') };
}

function newKeyId(prefix: string): string {
  return `${prefix}${new Date().toISOString().slice(0, 10).replace(/-/g, '')}${randomBytes(2).toString('hex')}`;
}

/** Writes the keyring atomically (a temporary file renamed over it), readable by its owner only. */
export function writeKeyringFile(file: string, doc: PiiKeyringConfig): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export function readKeyringFile(file: string): PiiKeyringConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new KeyringError(
      `pii.keyringFile ${file} is not readable JSON (${(e as Error).message}); create one with: npm run gateway -- pii init ${file}`,
    );
  }
  return plainToInstance(PiiKeyringConfig, parsed);
}

/** Resolves the keyring from config: inline (environment) first, then the file. */
export function loadKeyring(config: PiiConfig): Keyring {
  let doc: PiiKeyringConfig;
  if (config.keyring) {
    doc = config.keyring;
  } else if (config.keyringFile) {
    if (!existsSync(config.keyringFile)) {
      if (!config.createKeyringIfMissing) {
        throw new KeyringError(
          `pii.keyringFile ${config.keyringFile} does not exist — create it with: npm run gateway -- pii init ${config.keyringFile}`,
        );
      }
      writeKeyringFile(config.keyringFile, generateKeyringDocument());
    }
    doc = readKeyringFile(config.keyringFile);
  } else {
    throw new KeyringError('no PII keyring configured — set pii.keyringFile or GW_PII__KEYRING');
  }
  return decodeKeyring(doc);
}

function firstProblem(errors: ValidationError[], path = ''): string | undefined {
  for (const e of errors) {
    const here = path === '' ? e.property : `${path}.${e.property}`;
    const message = e.constraints ? Object.values(e.constraints)[0] : undefined;
    if (message !== undefined) {
      return `${here}: ${message}`;
    }
    const nested = firstProblem(e.children ?? [], here);
    if (nested !== undefined) {
      return nested;
    }
  }
  return undefined;
}

export function decodeKeyring(doc: PiiKeyringConfig): Keyring {
  const instance = plainToInstance(PiiKeyringConfig, doc);
  const problem = firstProblem(validateSync(instance));
  if (problem !== undefined || !Array.isArray(instance.keys)) {
    throw new KeyringError(
      `the PII keyring must have "active", "keys" [{id, algorithm, key}] and lookup keys ("lookupKeys" or the older "hmacKey")${
        problem === undefined ? '' : ` (${problem})`
      }`,
    );
  }
  const keys = new Map<string, CipherKey>();
  for (const entry of instance.keys) {
    const algorithm = entry.algorithm ?? 'aes-256-gcm';
    const key = Buffer.from(entry.key, 'base64');
    if (key.length !== CIPHER_KEY_BYTES[algorithm]) {
      throw new KeyringError(
        `PII key ${entry.id} (${algorithm}) must be base64 of exactly ${CIPHER_KEY_BYTES[algorithm]} bytes (got ${key.length})`,
      );
    }
    if (keys.has(entry.id)) {
      throw new KeyringError(`PII key id ${entry.id} appears twice in the keyring`);
    }
    keys.set(entry.id, { id: entry.id, algorithm, key });
  }
  const active = keys.get(instance.active);
  if (!active) {
    throw new KeyringError(`the active PII key ${instance.active} is not among the keyring's keys`);
  }
  const lookupKeys = decodeLookupKeys(instance);
  const activeLookupId = instance.activeLookup ?? LEGACY_LOOKUP_ID;
  const activeLookup = lookupKeys.find((k) => k.id === activeLookupId);
  if (!activeLookup) {
    throw new KeyringError(
      instance.activeLookup === undefined
        ? 'the PII keyring has no "hmacKey": name its active lookup key in "activeLookup"'
        : `the active lookup key ${activeLookupId} is not among the keyring's lookupKeys`,
    );
  }
  if (activeLookup.algorithm !== LOOKUP_FOR_CIPHER[active.algorithm]) {
    throw new KeyringError(
      `the active PII key ${active.id} is ${active.algorithm}, so the active lookup key must be ${LOOKUP_FOR_CIPHER[active.algorithm]} (${activeLookup.id} is ${activeLookup.algorithm}); rotate with: gateway pii rotate <file> --algorithm ${active.algorithm}`,
    );
  }
  return { activeKeyId: active.id, keys, lookupKeys, activeLookupId };
}

function decodeLookupKeys(instance: PiiKeyringConfig): LookupKey[] {
  const lookupKeys: LookupKey[] = [];
  if (instance.hmacKey !== undefined) {
    const key = Buffer.from(instance.hmacKey, 'base64');
    if (key.length < LOOKUP_KEY_MIN_BYTES) {
      throw new KeyringError(`the PII hmacKey must be base64 of at least 32 bytes (got ${key.length})`);
    }
    lookupKeys.push({ id: LEGACY_LOOKUP_ID, algorithm: 'hmac-sha256', key });
  }
  for (const entry of instance.lookupKeys ?? []) {
    if (lookupKeys.some((k) => k.id === entry.id)) {
      throw new KeyringError(
        entry.id === LEGACY_LOOKUP_ID
          ? `the lookup key id ${LEGACY_LOOKUP_ID} is reserved for the keyring's hmacKey`
          : `lookup key id ${entry.id} appears twice in the keyring`,
      );
    }
    const key = Buffer.from(entry.key, 'base64');
    if (key.length < LOOKUP_KEY_MIN_BYTES) {
      throw new KeyringError(`lookup key ${entry.id} must be base64 of at least 32 bytes (got ${key.length})`);
    }
    lookupKeys.push({ id: entry.id, algorithm: entry.algorithm, key });
  }
  if (lookupKeys.length === 0) {
    throw new KeyringError('the PII keyring has no lookup key: it needs "lookupKeys" (or the older "hmacKey")');
  }
  return lookupKeys;
}

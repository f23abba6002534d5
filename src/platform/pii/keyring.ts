import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PiiConfig, PiiKeyringConfig } from '../config/gateway-config';

/** Decoded key material. Keys are 32-byte AES-256 keys; the HMAC key is at least 32 bytes. */
export interface Keyring {
  activeKeyId: string;
  keys: Map<string, Buffer>;
  hmacKey: Buffer;
}

export class KeyringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringError';
  }
}

/** A new keyring document with one fresh key, as written by `gateway pii init` and sandbox start-up. */
export function generateKeyringDocument(keyId = newKeyId()): PiiKeyringConfig {
  return {
    active: keyId,
    keys: [{ id: keyId, key: randomBytes(32).toString('base64') }],
    hmacKey: randomBytes(32).toString('base64'),
  };
}

/** Adds a fresh key and makes it active; old keys stay so existing ciphertexts still decrypt. */
export function rotateKeyringDocument(doc: PiiKeyringConfig, keyId = newKeyId()): PiiKeyringConfig {
  if (doc.keys.some((k) => k.id === keyId)) {
    throw new KeyringError(`key id ${keyId} is already in the keyring`);
  }
  return { ...doc, active: keyId, keys: [...doc.keys, { id: keyId, key: randomBytes(32).toString('base64') }] };
}

function newKeyId(): string {
  return `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}${randomBytes(2).toString('hex')}`;
}

export function writeKeyringFile(file: string, doc: PiiKeyringConfig): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
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

export function decodeKeyring(doc: PiiKeyringConfig): Keyring {
  const instance = plainToInstance(PiiKeyringConfig, doc);
  const errors = validateSync(instance);
  if (errors.length > 0 || !Array.isArray(instance.keys)) {
    throw new KeyringError('the PII keyring must have "active", "keys" [{id, key}] and "hmacKey"');
  }
  const keys = new Map<string, Buffer>();
  for (const entry of instance.keys) {
    const key = Buffer.from(entry.key, 'base64');
    if (key.length !== 32) {
      throw new KeyringError(`PII key ${entry.id} must be base64 of exactly 32 bytes (got ${key.length})`);
    }
    if (keys.has(entry.id)) {
      throw new KeyringError(`PII key id ${entry.id} appears twice in the keyring`);
    }
    keys.set(entry.id, key);
  }
  if (!keys.has(instance.active)) {
    throw new KeyringError(`the active PII key ${instance.active} is not among the keyring's keys`);
  }
  const hmacKey = Buffer.from(instance.hmacKey, 'base64');
  if (hmacKey.length < 32) {
    throw new KeyringError(`the PII hmacKey must be base64 of at least 32 bytes (got ${hmacKey.length})`);
  }
  return { activeKeyId: instance.active, keys, hmacKey };
}

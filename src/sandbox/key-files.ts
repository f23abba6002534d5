import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSm2Keys, isSm2PrivateKey, isSm2PublicKey, SignatureKeys } from '../upstream/protocol/sm2-signer';
import { DEFAULT_INSURER_KEY_ID } from './sandbox-insurer';

/**
 * Files of the standalone sandbox insurer, in its data directory:
 * - keys.json — the insurer's SM2 key pair, created on first start, mode 0600, in the same shape
 *   as the gateway's signing key file: `{ id, privateKey, publicKey }` (+ createdAt);
 * - gateway-keys.json — optional `{ "<cainfo>": "<public key hex>" }` of the gateways allowed to call.
 */
export interface InsurerKeyFile extends SignatureKeys {
  /** The key id, sent as `cainfo` in every reply. */
  id: string;
  createdAt: string;
}

export const KEYS_FILE = 'keys.json';
export const GATEWAY_KEYS_FILE = 'gateway-keys.json';

export function loadOrCreateInsurerKeys(
  dir: string,
  now: Date,
): { keys: InsurerKeyFile; created: boolean; warning?: string } {
  const path = join(dir, KEYS_FILE);
  if (existsSync(path)) {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<InsurerKeyFile>;
    const { id, privateKey, publicKey, createdAt } = parsed;
    if (typeof id !== 'string' || id === '' || !isSm2PrivateKey(privateKey ?? '') || !isSm2PublicKey(publicKey ?? '')) {
      throw new Error(`${path} must hold { id, privateKey (64 hex), publicKey (130 hex, 04…) }`);
    }
    // A private key readable by others is worth a word, even in a sandbox.
    const loose = (statSync(path).mode & 0o077) !== 0;
    return {
      keys: { id, privateKey: privateKey as string, publicKey: publicKey as string, createdAt: createdAt ?? '' },
      created: false,
      warning: loose ? `${path} is readable by group or others; chmod 600 it` : undefined,
    };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys: InsurerKeyFile = { id: DEFAULT_INSURER_KEY_ID, ...generateSm2Keys(), createdAt: now.toISOString() };
  // 'wx': never overwrite a key another process wrote a moment ago.
  writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { keys, created: true };
}

/**
 * gateway-keys.json (if present), then the gateways' own key files (`{ id, publicKey, … }`: only
 * the public half is used), then `cainfo=hex` pairs from the command line; later ones win.
 */
export function loadGatewayKeys(
  dir: string,
  pairs: readonly string[],
  keyFiles: readonly string[] = [],
): Record<string, string> {
  const keys: Record<string, string> = {};
  const path = join(dir, GATEWAY_KEYS_FILE);
  if (existsSync(path)) {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${path} must be an object { "<cainfo>": "<public key hex>" }`);
    }
    for (const [cainfo, key] of Object.entries(parsed)) {
      keys[cainfo] = checkedKey(cainfo, key, path);
    }
  }
  for (const file of keyFiles) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { id?: unknown; publicKey?: unknown };
    if (typeof parsed.id !== 'string' || parsed.id === '') {
      throw new Error(`${file}: expected a gateway key file { id, publicKey, … }`);
    }
    keys[parsed.id] = checkedKey(parsed.id, parsed.publicKey, file);
  }
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new Error(`--gateway-key expects <cainfo>=<public key hex>, got ${pair}`);
    }
    keys[pair.slice(0, at)] = checkedKey(pair.slice(0, at), pair.slice(at + 1), '--gateway-key');
  }
  return keys;
}

function checkedKey(cainfo: string, key: unknown, source: string): string {
  if (typeof key !== 'string' || !isSm2PublicKey(key)) {
    throw new Error(`${source}: key of ${cainfo} is not an uncompressed SM2 public key (130 hex, 04…)`);
  }
  return key;
}

export interface SandboxArgs {
  host: string;
  port: number;
  /** Port of the /sandbox/* control listener; default port + 1 (ephemeral when port is 0). */
  controlPort: number;
  dataDir: string;
  gatewayKeys: string[];
  gatewayKeyFiles: string[];
  qrTtlSeconds?: number;
  /** Seconds after a settlement before the insurer's audit result (3501) is released. */
  auditDelaySeconds?: number;
}

export const USAGE =
  'usage: node dist/src/sandbox/main.js [--port 8090] [--host 127.0.0.1] [--control-port <port+1>]\n' +
  '       [--gateway-key <cainfo>=<public key hex>]... [--gateway-key-file <gateway signing key json>]...\n' +
  '       [--data-dir data/sandbox-insurer] [--qr-ttl <seconds>] [--audit-delay <seconds>]';

export function parseSandboxArgs(argv: readonly string[]): SandboxArgs {
  const args: Omit<SandboxArgs, 'controlPort'> & { controlPort?: number } = {
    host: '127.0.0.1',
    port: 8090,
    dataDir: 'data/sandbox-insurer',
    gatewayKeys: [],
    gatewayKeyFiles: [],
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) {
      throw new Error(`${flag} needs a value\n${USAGE}`);
    }
    i += 1;
    switch (flag) {
      case '--port':
        args.port = port(flag, value);
        break;
      case '--control-port':
        args.controlPort = port(flag, value);
        break;
      case '--host':
        args.host = value;
        break;
      case '--data-dir':
        args.dataDir = value;
        break;
      case '--gateway-key':
        args.gatewayKeys.push(value);
        break;
      case '--gateway-key-file':
        args.gatewayKeyFiles.push(value);
        break;
      case '--qr-ttl':
        args.qrTtlSeconds = port(flag, value);
        break;
      case '--audit-delay':
        if (!/^\d{1,9}$/.test(value)) {
          throw new Error(`${flag} must be a whole number of seconds, got ${value}`);
        }
        args.auditDelaySeconds = Number(value);
        break;
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return { ...args, controlPort: args.controlPort ?? (args.port === 0 ? 0 : args.port + 1) };
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new Error(`${flag} must be a number 0..65535, got ${value}`);
  }
  return n;
}

import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Staff passwords: scrypt (memory-hard, in node:crypto), a per-user salt, and the parameters stored
 * with the hash (`scrypt$N$r$p$salt$hash`, salt and hash base64url) so that stronger parameters later
 * do not break existing passwords. A hash takes tens of milliseconds and 32 MiB by design; it runs on
 * libuv's thread pool, not on the event loop.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFC'),
      salt,
      length,
      // 128·N·r bytes, plus headroom: Node's default limit (32 MiB) is exactly N=2^15, r=8.
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_LENGTH);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const STORED = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** Whether `password` is the one `stored` was made from; a malformed `stored` never matches. Constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED.exec(stored);
  if (!match) {
    return false;
  }
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const expected = Buffer.from(match[5], 'base64url');
  if (expected.length < 16 || params.N > 2 ** 20 || params.r > 32 || params.p > 16) {
    return false;
  }
  const key = await derive(password, Buffer.from(match[4], 'base64url'), params, expected.length);
  return timingSafeEqual(key, expected);
}

let decoy: Promise<string> | undefined;

/**
 * Spends what a real check spends, for a login nobody has: the answer then takes as long as for a
 * wrong password, so timing does not tell which logins exist.
 */
export async function spendPasswordCheck(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await decoy);
  return false;
}

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return `密码至少需要 ${MIN_PASSWORD_LENGTH} 个字符`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `密码最多 ${MAX_PASSWORD_LENGTH} 个字符`;
  }
  if (new Set(password).size < 4) {
    return '密码过于简单：请使用更多不同的字符';
  }
  return undefined;
}

/** No 0/O, 1/l/I: the password is read from a screen and typed at a desk. */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A strong password to hand out once: 16 characters (about 93 bits), in groups of four for reading aloud. */
export function generatePassword(): string {
  const chars = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

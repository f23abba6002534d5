import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Token format: `gwk_<id>_<secret>`. The id (12 lower-case hex chars) finds the row; the
 * secret (32 random bytes, base64url) is checked against the stored SHA-256. A prefix that
 * says what the string is lets secret scanners and people recognise a leaked key.
 */
const TOKEN = /^gwk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedToken {
  id: string;
  secret: string;
}

export function newToken(): { id: string; secret: string; token: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, token: `gwk_${id}_${secret}` };
}

export function parseToken(token: string): ParsedToken | undefined {
  const match = TOKEN.exec(token);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

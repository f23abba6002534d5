import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The staff session cookie and the CSRF rule, in one place (the HTTP guard, the session routes and the
 * desk WebSocket all read the cookie through here).
 *
 * The cookie holds 32 random bytes (base64url); the database keeps only their SHA-256 as the session
 * id, so a copy of the table does not let anyone in. HttpOnly keeps it from scripts, SameSite=Strict
 * from other sites' requests; the CSRF token (sent back in `x-csrf-token`) is the second lock for
 * requests that change something.
 */
export const STAFF_COOKIE = 'gw_staff';
export const CSRF_HEADER = 'x-csrf-token';

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** A new session: the cookie value for the browser and the id to store. */
export function newSessionSecret(): { cookieValue: string; sessionId: string } {
  const cookieValue = randomBytes(32).toString('base64url');
  return { cookieValue, sessionId: sessionIdOf(cookieValue) };
}

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored id of a cookie value (hex SHA-256). */
export function sessionIdOf(cookieValue: string): string {
  return createHash('sha256').update(cookieValue, 'utf8').digest('hex');
}

/**
 * The `gw_staff` value of a Cookie header (RFC 6265 `name=value; name=value`), or undefined when it is
 * absent or not something this gateway made. When the name appears twice the first wins, as browsers
 * send the most specific path first.
 */
export function staffCookieOf(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join('; ') : header;
  if (!text) {
    return undefined;
  }
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== STAFF_COOKIE) {
      continue;
    }
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    return COOKIE_VALUE.test(value) ? value : undefined;
  }
  return undefined;
}

/** The Set-Cookie header that starts a session lasting `maxAgeSeconds`. */
export function sessionCookie(cookieValue: string, maxAgeSeconds: number, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor(maxAgeSeconds));
  return `${STAFF_COOKIE}=${cookieValue}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie header that makes the browser forget the session. */
export function clearedSessionCookie(secure: boolean): string {
  return `${STAFF_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? '; Secure' : ''}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The CSRF rule: a request authenticated by the cookie that may change something (any method but
 * GET, HEAD, OPTIONS) must carry the session's token in `x-csrf-token`. Compared in constant time.
 */
export function csrfSatisfied(method: string, sent: string | string[] | undefined, expected: string): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) {
    return true;
  }
  if (typeof sent !== 'string') {
    return false;
  }
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

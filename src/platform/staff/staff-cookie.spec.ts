import {
  clearedSessionCookie,
  csrfSatisfied,
  newCsrfToken,
  newSessionSecret,
  sessionCookie,
  sessionIdOf,
  staffCookieOf,
} from './staff-cookie';

describe('the staff session cookie', () => {
  const { cookieValue, sessionId } = newSessionSecret();

  it('holds 32 random bytes; the stored id is their SHA-256, not the value', () => {
    expect(Buffer.from(cookieValue, 'base64url')).toHaveLength(32);
    expect(sessionId).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionId).toBe(sessionIdOf(cookieValue));
    expect(sessionId).not.toContain(cookieValue);
    expect(newSessionSecret().cookieValue).not.toBe(cookieValue);
  });

  it('is found among other cookies, quoted or not, the first of two', () => {
    expect(staffCookieOf(`gw_staff=${cookieValue}`)).toBe(cookieValue);
    expect(staffCookieOf(`theme=dark; gw_staff=${cookieValue}; lang=zh`)).toBe(cookieValue);
    expect(staffCookieOf(`theme=dark;gw_staff="${cookieValue}"`)).toBe(cookieValue);
    const other = newSessionSecret().cookieValue;
    expect(staffCookieOf(`gw_staff=${cookieValue}; gw_staff=${other}`)).toBe(cookieValue);
    expect(staffCookieOf(['theme=dark', `gw_staff=${cookieValue}`])).toBe(cookieValue);
  });

  it('is absent when missing, empty, misnamed or not one the gateway made', () => {
    expect(staffCookieOf(undefined)).toBeUndefined();
    expect(staffCookieOf('')).toBeUndefined();
    expect(staffCookieOf('gw_staff=')).toBeUndefined();
    expect(staffCookieOf(`xgw_staff=${cookieValue}`)).toBeUndefined();
    expect(staffCookieOf(`gw_staff=${cookieValue}x`)).toBeUndefined();
    expect(staffCookieOf('gw_staff=../../etc/passwd')).toBeUndefined();
  });

  it('is set HttpOnly, SameSite=Strict, for the whole site, Secure only over TLS, and cleared the same way', () => {
    expect(sessionCookie(cookieValue, 43200, false)).toBe(
      `gw_staff=${cookieValue}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`,
    );
    expect(sessionCookie(cookieValue, 43200, true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toBe('gw_staff=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
  });
});

describe('the CSRF rule', () => {
  const token = newCsrfToken();

  it('lets reads through without the token', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) {
      expect(csrfSatisfied(method, undefined, token)).toBe(true);
    }
  });

  it('asks every other method for the session’s own token', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(csrfSatisfied(method, undefined, token)).toBe(false);
      expect(csrfSatisfied(method, '', token)).toBe(false);
      expect(csrfSatisfied(method, newCsrfToken(), token)).toBe(false);
      expect(csrfSatisfied(method, `${token}x`, token)).toBe(false);
      expect(csrfSatisfied(method, [token, token], token)).toBe(false);
      expect(csrfSatisfied(method, token, token)).toBe(true);
    }
  });
});

import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import {
  issueToken,
  MAX_TOKEN_TTL_MS,
  TOKEN_FAILURE_MESSAGES,
  verifyToken,
  type TokenClaims,
  type TokenFailureCode,
  type TokenVerification,
} from './token';

const SECRET = Buffer.alloc(32, 7);
const OTHER_SECRET = Buffer.alloc(32, 8);
const NOW = new Date('2026-11-25T02:00:00.000Z');
const TTL = 15 * 60_000;
const SUBJECT = 'a3f1c9e27b4d18a3f1c9e27b4d18a3f1c9e27b4d18a3f1c9e27b4d18a3f1c9e2';
const OTHER_SUBJECT = 'b3f1c9e27b4d18a3f1c9e27b4d18a3f1c9e27b4d18a3f1c9e27b4d18a3f1c9e2';
const CLAIMS: TokenClaims = {
  subjectKey: SUBJECT,
  hospitalCode: 'H64010600001',
  visitId: 'MZ20261125-0042',
  sessionId: '0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b',
  verdictAt: new Date(NOW.getTime() - 3_000),
};
const EXPECTED = { hospitalCode: CLAIMS.hospitalCode, visitId: CLAIMS.visitId, subjectKey: SUBJECT };

function later(ms: number): Date {
  return new Date(NOW.getTime() + ms);
}

function failure(v: TokenVerification): TokenFailureCode | undefined {
  return v.ok ? undefined : v.code;
}

/** Signs an arbitrary payload text the way issueToken does, to test what verify makes of it. */
function forge(payloadJson: string, secret = SECRET): string {
  const encoded = Buffer.from(payloadJson, 'utf8').toString('base64url');
  const signed = `gvt1.${encoded}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

describe('issueToken / verifyToken', () => {
  const token = issueToken(CLAIMS, SECRET, NOW, TTL);

  it('is compact and URL-safe: gvt1.<base64url>.<base64url>', () => {
    expect(token).toMatch(/^gvt1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(token.length).toBeLessThan(400);
  });

  it('carries no personal data in clear: only the keyed hash, codes, ids and times', () => {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(Object.keys(payload).sort()).toEqual(['exp', 'h', 'iat', 's', 'sk', 'v', 'va', 'vi']);
    expect(payload).toMatchObject({ v: 1, sk: SUBJECT, h: 'H64010600001', exp: NOW.getTime() + TTL });
  });

  it('verifies with its own secret, hospital, person and visit, and returns the claims', () => {
    const v = verifyToken(token, SECRET, EXPECTED, later(TTL - 1));
    expect(v).toEqual({
      ok: true,
      claims: { ...CLAIMS, issuedAt: NOW, expiresAt: later(TTL) },
    });
    // visit and person are optional expectations
    expect(verifyToken(token, SECRET, { hospitalCode: 'H64010600001' }, NOW).ok).toBe(true);
  });

  it('TOKEN_EXPIRED from the expiry instant on', () => {
    expect(failure(verifyToken(token, SECRET, EXPECTED, later(TTL)))).toBe('TOKEN_EXPIRED');
    expect(failure(verifyToken(token, SECRET, EXPECTED, later(TTL + 86_400_000)))).toBe('TOKEN_EXPIRED');
  });

  it('TOKEN_BAD_SIGNATURE with another secret, a changed payload or a changed signature', () => {
    expect(failure(verifyToken(token, OTHER_SECRET, EXPECTED, NOW))).toBe('TOKEN_BAD_SIGNATURE');
    const [prefix, payload, sig] = token.split('.');
    const otherPayload = issueToken({ ...CLAIMS, hospitalCode: 'H64010400001' }, OTHER_SECRET, NOW, TTL).split('.')[1];
    expect(failure(verifyToken(`${prefix}.${otherPayload}.${sig}`, SECRET, EXPECTED, NOW))).toBe('TOKEN_BAD_SIGNATURE');
    const flipped = sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');
    expect(failure(verifyToken(`${prefix}.${payload}.${flipped}`, SECRET, EXPECTED, NOW))).toBe('TOKEN_BAD_SIGNATURE');
    expect(failure(verifyToken(`${prefix}.${payload}.${sig.slice(0, 20)}`, SECRET, EXPECTED, NOW))).toBe(
      'TOKEN_BAD_SIGNATURE',
    );
  });

  it('TOKEN_WRONG_HOSPITAL, TOKEN_WRONG_PERSON, TOKEN_WRONG_VISIT', () => {
    expect(failure(verifyToken(token, SECRET, { ...EXPECTED, hospitalCode: 'H64010400001' }, NOW))).toBe(
      'TOKEN_WRONG_HOSPITAL',
    );
    expect(failure(verifyToken(token, SECRET, { ...EXPECTED, subjectKey: OTHER_SUBJECT }, NOW))).toBe(
      'TOKEN_WRONG_PERSON',
    );
    expect(failure(verifyToken(token, SECRET, { ...EXPECTED, visitId: 'MZ20261125-0043' }, NOW))).toBe(
      'TOKEN_WRONG_VISIT',
    );
  });

  it('TOKEN_MALFORMED for anything that is not a token of ours, before looking at a signature', () => {
    for (const bad of [
      '',
      'gvt1',
      'gvt1..',
      'gvt2.abc.def',
      `${token}.x`,
      'gvt1.a+b.c',
      'gvt1.abc.d=f',
      `gvt1.${'a'.repeat(3000)}.b`,
    ]) {
      expect(failure(verifyToken(bad, SECRET, EXPECTED, NOW))).toBe('TOKEN_MALFORMED');
    }
  });

  it('TOKEN_MALFORMED for a correctly signed payload of the wrong shape', () => {
    const good = {
      v: 1,
      sk: SUBJECT,
      h: 'H64010600001',
      vi: 'V1',
      s: 'S1',
      va: 1,
      iat: NOW.getTime(),
      exp: NOW.getTime() + 1000,
    };
    for (const bad of [
      'not json',
      '[1,2]',
      'null',
      JSON.stringify({ ...good, v: 2 }),
      JSON.stringify({ ...good, sk: '640104198503120319' }),
      JSON.stringify({ ...good, h: '' }),
      JSON.stringify({ ...good, exp: good.iat }),
      JSON.stringify({ ...good, va: 'yesterday' }),
      JSON.stringify({ ...good, iat: 1.5 }),
    ]) {
      expect(failure(verifyToken(forge(bad), SECRET, EXPECTED, NOW))).toBe('TOKEN_MALFORMED');
    }
    expect(verifyToken(forge(JSON.stringify(good)), SECRET, { hospitalCode: 'H64010600001' }, NOW).ok).toBe(true);
  });

  it('gives a Chinese message with every failure', () => {
    const v = verifyToken(token, SECRET, { ...EXPECTED, subjectKey: OTHER_SUBJECT }, NOW);
    expect(v).toEqual({ ok: false, code: 'TOKEN_WRONG_PERSON', message: TOKEN_FAILURE_MESSAGES.TOKEN_WRONG_PERSON });
    for (const message of Object.values(TOKEN_FAILURE_MESSAGES)) {
      expect(message).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('refuses to issue with a short secret, a bad TTL, an ID number as subject key or empty claims', () => {
    expect(() => issueToken(CLAIMS, Buffer.alloc(16), NOW, TTL)).toThrow(RangeError);
    expect(() => verifyToken(token, Buffer.alloc(31), EXPECTED, NOW)).toThrow(RangeError);
    for (const ttl of [0, -1, 1.5, MAX_TOKEN_TTL_MS + 1, Number.NaN]) {
      expect(() => issueToken(CLAIMS, SECRET, NOW, ttl)).toThrow(RangeError);
    }
    expect(() => issueToken({ ...CLAIMS, subjectKey: '640104198503120319' }, SECRET, NOW, TTL)).toThrow(RangeError);
    expect(() => issueToken({ ...CLAIMS, visitId: '' }, SECRET, NOW, TTL)).toThrow(RangeError);
    expect(() => issueToken({ ...CLAIMS, hospitalCode: 'H'.repeat(129) }, SECRET, NOW, TTL)).toThrow(RangeError);
    expect(() => issueToken({ ...CLAIMS, verdictAt: new Date(Number.NaN) }, SECRET, NOW, TTL)).toThrow(RangeError);
    expect(() => issueToken(CLAIMS, SECRET, new Date(Number.NaN), TTL)).toThrow(RangeError);
  });
});

// ---- properties -------------------------------------------------------------------------------

const secretArb = fc.uint8Array({ minLength: 32, maxLength: 64 }).map((b) => Buffer.from(b));
const subjectArb = fc.stringMatching(/^[0-9a-f]{64}$/);
const textArb = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }).filter((s) => s.length <= 128);
const claimsArb = fc.record({
  subjectKey: subjectArb,
  hospitalCode: fc.stringMatching(/^H\d{11}$/),
  visitId: textArb,
  sessionId: textArb,
  verdictAt: fc.date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2040-01-01T00:00:00Z'),
    noInvalidDate: true,
  }),
});
const nowArb = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2040-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const ttlArb = fc.integer({ min: 1, max: MAX_TOKEN_TTL_MS });

describe('token properties', () => {
  it('verifies only with its own secret, hospital, person and visit, and never after expiry', () => {
    fc.assert(
      fc.property(
        claimsArb,
        claimsArb,
        secretArb,
        secretArb,
        nowArb,
        ttlArb,
        fc.integer({ min: -MAX_TOKEN_TTL_MS, max: 2 * MAX_TOKEN_TTL_MS }),
        (claims, other, secret, otherSecret, now, ttl, elapsed) => {
          const token = issueToken(claims, secret, now, ttl);
          const at = new Date(now.getTime() + elapsed);
          const own = { hospitalCode: claims.hospitalCode, visitId: claims.visitId, subjectKey: claims.subjectKey };
          const v = verifyToken(token, secret, own, at);
          expect(v.ok).toBe(elapsed < ttl);
          if (elapsed >= ttl) {
            expect(failure(v)).toBe('TOKEN_EXPIRED');
          }
          const inTime = new Date(now.getTime() + Math.min(Math.max(elapsed, 0), ttl - 1));
          expect(verifyToken(token, secret, own, inTime).ok).toBe(true);
          if (!otherSecret.equals(secret)) {
            expect(failure(verifyToken(token, otherSecret, own, inTime))).toBe('TOKEN_BAD_SIGNATURE');
          }
          if (other.hospitalCode !== claims.hospitalCode) {
            expect(failure(verifyToken(token, secret, { ...own, hospitalCode: other.hospitalCode }, inTime))).toBe(
              'TOKEN_WRONG_HOSPITAL',
            );
          }
          if (other.subjectKey !== claims.subjectKey) {
            expect(failure(verifyToken(token, secret, { ...own, subjectKey: other.subjectKey }, inTime))).toBe(
              'TOKEN_WRONG_PERSON',
            );
          }
          if (other.visitId !== claims.visitId) {
            expect(failure(verifyToken(token, secret, { ...own, visitId: other.visitId }, inTime))).toBe(
              'TOKEN_WRONG_VISIT',
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a token with any single character changed, removed or added', () => {
    fc.assert(
      fc.property(
        claimsArb,
        secretArb,
        nowArb,
        fc.nat(),
        fc.constantFrom(...'AQgw_-.0z'),
        fc.constantFrom('replace', 'remove', 'insert'),
        (claims, secret, now, i, c, edit) => {
          const token = issueToken(claims, secret, now, 60_000);
          const pos = i % token.length;
          const changed =
            edit === 'replace'
              ? token.slice(0, pos) + c + token.slice(pos + 1)
              : edit === 'remove'
                ? token.slice(0, pos) + token.slice(pos + 1)
                : token.slice(0, pos) + c + token.slice(pos);
          fc.pre(changed !== token);
          const v = verifyToken(changed, secret, { hospitalCode: claims.hospitalCode }, now);
          expect(v.ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.stringMatching(/^gvt1\.[A-Za-z0-9_-]{0,80}\.[A-Za-z0-9_-]{0,50}$/),
        ),
        (text) => {
          const v = verifyToken(text, SECRET, { hospitalCode: 'H64010600001' }, NOW);
          expect(v.ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

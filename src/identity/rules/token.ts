import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The verification token: proof, for the settlement API, that person, card and code matched for
 * this person, at this hospital, for this visit, a short while ago. Settlement refuses to charge
 * the work-injury account without one (协议 9: 人、卡不符时拒绝记账).
 *
 * Format: `gvt1.<payload>.<signature>`, both base64url without padding (URL-safe, no escaping in
 * headers or query strings).
 * - payload: compact JSON `{"v":1,"sk":…,"h":…,"vi":…,"s":…,"va":…,"iat":…,"exp":…}` — subject key,
 *   hospital code, visit id, session id, verdict time, issue time, expiry (milliseconds since epoch).
 *   The person appears only as `sk`, a keyed hash of the ID number computed by the caller
 *   (PiiCryptoService.hash); no name or ID number is ever in a token.
 * - signature: HMAC-SHA256 over the ASCII text `gvt1.<payload>` with the gateway's token secret,
 *   compared in constant time. Because the MAC covers the payload text as sent, a token cannot be
 *   re-encoded into a second valid spelling.
 *
 * Verification order: shape → signature → payload → expiry → hospital → person → visit. Nothing in
 * an unsigned payload is looked at before the signature has been checked.
 */

export const TOKEN_PREFIX = 'gvt1';
/** HMAC-SHA256 keys shorter than its output add no strength; refuse them. */
export const MIN_SECRET_BYTES = 32;
/** Tokens are short-lived: a settlement follows the verification within a visit. */
export const MAX_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** Longer strings are not tokens we issue (keeps parsing bounded). */
const MAX_TOKEN_LENGTH = 2048;
const MAX_CLAIM_LENGTH = 128;
/** A keyed hash as text (hex or base64url): long enough that an ID number (18) cannot pass for one. */
const SUBJECT_KEY = /^[A-Za-z0-9_-]{32,128}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface TokenClaims {
  /** Keyed hash of the subject's ID number (never the number itself). */
  readonly subjectKey: string;
  /** The hospital's 定点医药机构编号. */
  readonly hospitalCode: string;
  /** HIS visit id (门诊/住院号) the verification was for. */
  readonly visitId: string;
  /** The verification session that produced the MATCH. */
  readonly sessionId: string;
  /** When the MATCH verdict was reached. */
  readonly verdictAt: Date;
}

export interface VerifiedToken extends TokenClaims {
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export type TokenFailureCode =
  | 'TOKEN_MALFORMED'
  | 'TOKEN_BAD_SIGNATURE'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_WRONG_HOSPITAL'
  | 'TOKEN_WRONG_PERSON'
  | 'TOKEN_WRONG_VISIT';

export const TOKEN_FAILURE_MESSAGES: Readonly<Record<TokenFailureCode, string>> = {
  TOKEN_MALFORMED: '人卡码核验凭证格式无效：请重新核验人、卡、码后再结算',
  TOKEN_BAD_SIGNATURE: '人卡码核验凭证签名无效（非本网关签发或已被篡改）：请重新核验人、卡、码后再结算',
  TOKEN_EXPIRED: '人卡码核验凭证已过期：请重新核验人、卡、码后再结算',
  TOKEN_WRONG_HOSPITAL: '人卡码核验凭证不是本院签发的：请在本院重新核验人、卡、码',
  TOKEN_WRONG_PERSON: '人卡码核验凭证与结算人员不符：拒绝记账，请重新核验人、卡、码',
  TOKEN_WRONG_VISIT: '人卡码核验凭证不属于本次就诊：请为本次就诊重新核验人、卡、码',
};

export type TokenVerification =
  | { readonly ok: true; readonly claims: VerifiedToken }
  | { readonly ok: false; readonly code: TokenFailureCode; readonly message: string };

export interface TokenExpectation {
  readonly hospitalCode: string;
  /** When given, the token must be for this visit. */
  readonly visitId?: string;
  /**
   * When given, the token must be for this person: a keyed hash of the ID number, or the person's
   * keys under every lookup key of the keyring (`personKeys`), any of which the token may carry.
   */
  readonly subjectKey?: string | readonly string[];
}

interface Payload {
  v: 1;
  sk: string;
  h: string;
  vi: string;
  s: string;
  va: number;
  iat: number;
  exp: number;
}

function requireSecret(secret: Buffer): void {
  if (!Buffer.isBuffer(secret) || secret.length < MIN_SECRET_BYTES) {
    throw new RangeError(`the verification-token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}

function requireInstant(name: string, d: Date): number {
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) {
    throw new RangeError(`${name} must be a valid date`);
  }
  return t;
}

function isClaimText(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= MAX_CLAIM_LENGTH;
}

function mac(secret: Buffer, signedText: string): string {
  return createHmac('sha256', secret).update(signedText, 'ascii').digest('base64url');
}

/** Equal strings, compared without an early exit on the first difference. */
function constantTimeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * Issues a token valid for `ttlMs` from `now`. Throws RangeError on a short secret, a TTL outside
 * (0, MAX_TOKEN_TTL_MS], invalid dates, a subject key that does not look like a keyed hash, or empty
 * or over-long claims: those are programming errors, not user input.
 */
export function issueToken(claims: TokenClaims, secret: Buffer, now: Date, ttlMs: number): string {
  requireSecret(secret);
  const iat = requireInstant('now', now);
  const va = requireInstant('verdictAt', claims.verdictAt);
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TOKEN_TTL_MS) {
    throw new RangeError(`ttlMs must be an integer in (0, ${MAX_TOKEN_TTL_MS}]`);
  }
  if (!SUBJECT_KEY.test(claims.subjectKey)) {
    throw new RangeError('subjectKey must be a keyed hash (32–128 characters of [A-Za-z0-9_-]), never an ID number');
  }
  for (const [name, value] of [
    ['hospitalCode', claims.hospitalCode],
    ['visitId', claims.visitId],
    ['sessionId', claims.sessionId],
  ] as const) {
    if (!isClaimText(value)) {
      throw new RangeError(`${name} must be 1–${MAX_CLAIM_LENGTH} characters`);
    }
  }
  const payload: Payload = {
    v: 1,
    sk: claims.subjectKey,
    h: claims.hospitalCode,
    vi: claims.visitId,
    s: claims.sessionId,
    va,
    iat,
    exp: iat + ttlMs,
  };
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const signedText = `${TOKEN_PREFIX}.${encoded}`;
  return `${signedText}.${mac(secret, signedText)}`;
}

function fail(code: TokenFailureCode): TokenVerification {
  return { ok: false, code, message: TOKEN_FAILURE_MESSAGES[code] };
}

function isInstant(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n);
}

function parsePayload(encoded: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const p = value as Record<string, unknown>;
  const valid =
    p.v === 1 &&
    typeof p.sk === 'string' &&
    SUBJECT_KEY.test(p.sk) &&
    isClaimText(p.h) &&
    isClaimText(p.vi) &&
    isClaimText(p.s) &&
    isInstant(p.va) &&
    isInstant(p.iat) &&
    isInstant(p.exp) &&
    p.exp > p.iat;
  return valid ? (p as unknown as Payload) : undefined;
}

/**
 * Verifies a token for a settlement at `expected.hospitalCode` (and, when given, for that visit and
 * person). Never throws for any token text; throws RangeError only for a short secret or an invalid
 * `now` (configuration errors).
 */
export function verifyToken(token: string, secret: Buffer, expected: TokenExpectation, now: Date): TokenVerification {
  requireSecret(secret);
  const at = requireInstant('now', now);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
    return fail('TOKEN_MALFORMED');
  }
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX || !BASE64URL.test(parts[1]) || !BASE64URL.test(parts[2])) {
    return fail('TOKEN_MALFORMED');
  }
  const signedText = `${parts[0]}.${parts[1]}`;
  if (!constantTimeEqual(parts[2], mac(secret, signedText))) {
    return fail('TOKEN_BAD_SIGNATURE');
  }
  const payload = parsePayload(parts[1]);
  if (payload === undefined) {
    return fail('TOKEN_MALFORMED');
  }
  if (at >= payload.exp) {
    return fail('TOKEN_EXPIRED');
  }
  if (!constantTimeEqual(payload.h, expected.hospitalCode)) {
    return fail('TOKEN_WRONG_HOSPITAL');
  }
  const subjectKeys = typeof expected.subjectKey === 'string' ? [expected.subjectKey] : expected.subjectKey;
  if (subjectKeys !== undefined && !subjectKeys.some((k) => constantTimeEqual(payload.sk, k))) {
    return fail('TOKEN_WRONG_PERSON');
  }
  if (expected.visitId !== undefined && !constantTimeEqual(payload.vi, expected.visitId)) {
    return fail('TOKEN_WRONG_VISIT');
  }
  return {
    ok: true,
    claims: {
      subjectKey: payload.sk,
      hospitalCode: payload.h,
      visitId: payload.vi,
      sessionId: payload.s,
      verdictAt: new Date(payload.va),
      issuedAt: new Date(payload.iat),
      expiresAt: new Date(payload.exp),
    },
  };
}

import { SEED } from '../sandbox/seed-people';
import {
  type CatalogueError,
  Clock,
  decodeKeyring,
  type GatewayConfig,
  generateKeyringDocument,
  PiiCryptoService,
  rotateKeyringDocument,
} from '../platform';
import { IDENTITY_ERRORS } from './identity.errors';
import { personKey } from './person-key';
import { TOKEN_FAILURE_MESSAGES } from './rules/token';
import { VerificationTokenService } from './verification-token.service';

class MovableClock extends Clock {
  t = new Date('2026-11-25T02:00:00.000Z');
  now(): Date {
    return new Date(this.t);
  }
}

function thrown(work: () => unknown): CatalogueError {
  try {
    work();
  } catch (e) {
    return e as CatalogueError;
  }
  throw new Error('expected a refusal');
}

describe(VerificationTokenService.name, () => {
  const clock = new MovableClock();
  const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k')));
  const config = { hospital: { fixmedinsCode: 'H64010400001' }, identity: { tokenTtlMs: 5 * 60_000 } } as GatewayConfig;
  const tokens = new VerificationTokenService(config, clock, pii);
  const subjectKey = personKey(pii, SEED.activeFingers.certno);
  const { token, expiresAt } = tokens.issue(
    { subjectKey, visitId: 'V1', sessionId: 's1', verdictAt: clock.now() },
    clock.now(),
  );

  it('issues a token for this hospital that checks for the same person and visit', () => {
    expect(expiresAt).toEqual(new Date('2026-11-25T02:05:00.000Z'));
    expect(tokens.checkToken(token, { idNumber: SEED.activeFingers.certno, visitId: 'V1' })).toMatchObject({
      subjectKey,
      hospitalCode: 'H64010400001',
      visitId: 'V1',
      sessionId: 's1',
    });
  });

  it('refuses through IDENTITY_ERRORS with 403 and the rules’ own messages', () => {
    expect(thrown(() => tokens.checkToken(undefined))).toMatchObject({
      status: 403,
      code: 'TOKEN_MISSING',
      message: '缺少人卡码核验凭证（x-verification-token）：请先完成人、卡、码核验',
    });
    expect(thrown(() => tokens.checkToken(''))).toMatchObject({ status: 403, code: 'TOKEN_MISSING' });
    expect(thrown(() => tokens.checkToken(token, { idNumber: SEED.dotName.certno }))).toMatchObject({
      status: 403,
      code: 'TOKEN_WRONG_PERSON',
      message: TOKEN_FAILURE_MESSAGES.TOKEN_WRONG_PERSON,
    });
    expect(thrown(() => tokens.checkToken(token, { visitId: 'V2' }))).toMatchObject({
      status: 403,
      code: 'TOKEN_WRONG_VISIT',
    });
    expect(thrown(() => tokens.checkToken('gvt1.x'))).toMatchObject({ status: 403, code: 'TOKEN_MALFORMED' });
    clock.t = new Date('2026-11-25T02:05:01.000Z');
    expect(thrown(() => tokens.checkToken(token))).toMatchObject({
      status: 403,
      code: 'TOKEN_EXPIRED',
      message: TOKEN_FAILURE_MESSAGES.TOKEN_EXPIRED,
    });
  });

  it('a token issued before a rotation to SM4 still checks for its person after it (old person key, same secret)', () => {
    const aesDoc = generateKeyringDocument('k1', 'aes-256-gcm');
    const before = new VerificationTokenService(config, clock, new PiiCryptoService(decodeKeyring(aesDoc)));
    const rotated = new PiiCryptoService(
      decodeKeyring(rotateKeyringDocument(aesDoc, { keyId: 'k2', algorithm: 'sm4-gcm' })),
    );
    const after = new VerificationTokenService(config, clock, rotated);
    clock.t = new Date('2026-11-25T02:00:00.000Z');
    const old = before.issue(
      {
        subjectKey: personKey(new PiiCryptoService(decodeKeyring(aesDoc)), SEED.activeFingers.certno),
        visitId: 'V1',
        sessionId: 's1',
        verdictAt: clock.now(),
      },
      clock.now(),
    );
    expect(after.checkToken(old.token, { idNumber: SEED.activeFingers.certno, visitId: 'V1' }).sessionId).toBe('s1');
    expect(thrown(() => after.checkToken(old.token, { idNumber: SEED.dotName.certno }))).toMatchObject({
      code: 'TOKEN_WRONG_PERSON',
    });
  });

  it('IDENTITY_ERRORS holds every code identity throws, with the statuses and messages it always had', () => {
    expect(IDENTITY_ERRORS.owner).toBe('identity');
    expect(IDENTITY_ERRORS.codes.sort()).toEqual(
      [
        'IDENTITY_SESSION_EXPIRED',
        'IDENTITY_SESSION_NOT_FOUND',
        'STAFF_CONFIRMATION_NOT_SELF',
        'STAFF_CONFIRMATION_WHO_MISSING',
        'TOKEN_BAD_SIGNATURE',
        'TOKEN_EXPIRED',
        'TOKEN_MALFORMED',
        'TOKEN_MISSING',
        'TOKEN_SESSION_GONE',
        'TOKEN_WRONG_HOSPITAL',
        'TOKEN_WRONG_PERSON',
        'TOKEN_WRONG_VISIT',
      ].sort(),
    );
    expect(IDENTITY_ERRORS.entries.IDENTITY_SESSION_NOT_FOUND).toEqual({
      status: 404,
      message: '没有这个核验会话：请重新开始人、卡、码核验',
    });
    expect(IDENTITY_ERRORS.entries.IDENTITY_SESSION_EXPIRED).toEqual({
      status: 409,
      message: '该核验会话已过期：请重新开始人、卡、码核验',
    });
    expect(IDENTITY_ERRORS.entries.TOKEN_SESSION_GONE).toEqual({
      status: 403,
      message: '人卡码核验凭证对应的核验记录不存在或已变更：请重新核验人、卡、码',
    });
    for (const [code, message] of Object.entries(TOKEN_FAILURE_MESSAGES)) {
      expect(IDENTITY_ERRORS.entries[code as keyof typeof TOKEN_FAILURE_MESSAGES]).toEqual({ status: 403, message });
    }
  });
});

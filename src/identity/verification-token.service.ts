import { Injectable } from '@nestjs/common';
import { Clock, GatewayConfig, PiiCryptoService } from '../platform';
import { IDENTITY_ERRORS } from './identity.errors';
import { personKeys } from './person-key';
import { issueToken, type TokenClaims, type TokenExpectation, type VerifiedToken, verifyToken } from './rules/token';

const TOKEN_SECRET_LABEL = 'gateway verification-token secret v1';

/** What a token check may additionally require: a visit, a hospital, or the person by ID number. */
export type TokenCheck = Partial<TokenExpectation> & { idNumber?: string };

/**
 * Verification tokens (gvt1): issued with a MATCH, checked by the capabilities that need a verified
 * person (settlement, forms, the doctor view). The secret is derived from the keyring's first lookup
 * key (`PiiCryptoService.stableHash`): never a constant, the same on every instance sharing the
 * keyring, and unchanged by a key rotation (a token issued just before one still checks after it).
 * The person in a token may be keyed under an older lookup key: checks accept any of `personKeys`.
 */
@Injectable()
export class VerificationTokenService {
  private readonly secret: Buffer;

  constructor(
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly pii: PiiCryptoService,
  ) {
    this.secret = Buffer.from(pii.stableHash(TOKEN_SECRET_LABEL, 'identity.token-secret'), 'hex');
  }

  /** A token for these claims, valid for `identity.tokenTtlMs` from `now`. */
  issue(claims: Omit<TokenClaims, 'hospitalCode'>, now: Date): { token: string; expiresAt: Date } {
    const ttlMs = this.config.identity.tokenTtlMs;
    const token = issueToken({ ...claims, hospitalCode: this.config.hospital.fixmedinsCode }, this.secret, now, ttlMs);
    return { token, expiresAt: new Date(now.getTime() + ttlMs) };
  }

  /** Checks a verification token (settlement, the doctor view, forms). Throws TOKEN_* (403) from IDENTITY_ERRORS. */
  checkToken(token: string | undefined, expected: TokenCheck = {}): VerifiedToken {
    if (token === undefined || token.length === 0) {
      throw IDENTITY_ERRORS.raise('TOKEN_MISSING');
    }
    const { idNumber, ...rest } = expected;
    const result = verifyToken(
      token,
      this.secret,
      {
        hospitalCode: this.config.hospital.fixmedinsCode,
        ...rest,
        ...(idNumber !== undefined ? { subjectKey: personKeys(this.pii, idNumber) } : {}),
      },
      this.clock.now(),
    );
    if (!result.ok) {
      throw IDENTITY_ERRORS.raise(result.code, { message: result.message });
    }
    return result.claims;
  }
}

import { DomainError } from '../platform/errors/domain-error';
import type { TokenFailureCode } from './rules/token';

/** A verification token that does not hold (expired, forged, another person, hospital or visit). */
export class VerificationTokenError extends DomainError {
  readonly status = 403;
  constructor(
    readonly code: TokenFailureCode | 'TOKEN_MISSING' | 'TOKEN_SESSION_GONE',
    message: string,
  ) {
    super(message);
  }
}

/** The session no longer accepts evidence. */
export class SessionClosedError extends DomainError {
  readonly code = 'IDENTITY_SESSION_EXPIRED';
  readonly status = 409;
  constructor() {
    super('该核验会话已过期：请重新开始人、卡、码核验');
  }
}

import { errorCatalogue } from '../platform';
import { TOKEN_FAILURE_MESSAGES } from './rules/token';

/**
 * Every error code identity answers with. The verdict's check codes and NEED_* items are not errors:
 * they are the body of a successful answer (SessionDto.checks / missing).
 */
export const IDENTITY_ERRORS = errorCatalogue('identity', {
  IDENTITY_SESSION_NOT_FOUND: { status: 404, message: '没有这个核验会话：请重新开始人、卡、码核验' },
  /** The session no longer accepts evidence. */
  IDENTITY_SESSION_EXPIRED: { status: 409, message: '该核验会话已过期：请重新开始人、卡、码核验' },
  // A verification token that does not hold (missing, expired, forged, another person, hospital or visit).
  TOKEN_MISSING: { status: 403, message: '缺少人卡码核验凭证（x-verification-token）：请先完成人、卡、码核验' },
  TOKEN_SESSION_GONE: { status: 403, message: '人卡码核验凭证对应的核验记录不存在或已变更：请重新核验人、卡、码' },
  TOKEN_MALFORMED: { status: 403, message: TOKEN_FAILURE_MESSAGES.TOKEN_MALFORMED },
  TOKEN_BAD_SIGNATURE: { status: 403, message: TOKEN_FAILURE_MESSAGES.TOKEN_BAD_SIGNATURE },
  TOKEN_EXPIRED: { status: 403, message: TOKEN_FAILURE_MESSAGES.TOKEN_EXPIRED },
  TOKEN_WRONG_HOSPITAL: { status: 403, message: TOKEN_FAILURE_MESSAGES.TOKEN_WRONG_HOSPITAL },
  TOKEN_WRONG_PERSON: { status: 403, message: TOKEN_FAILURE_MESSAGES.TOKEN_WRONG_PERSON },
  TOKEN_WRONG_VISIT: { status: 403, message: TOKEN_FAILURE_MESSAGES.TOKEN_WRONG_VISIT },
});

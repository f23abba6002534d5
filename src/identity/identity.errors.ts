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
  /** An API key's staff confirmation must say who looked at the patient. */
  STAFF_CONFIRMATION_WHO_MISSING: {
    status: 400,
    message: '人工核验须注明核验人（staffId、staffName）：请填写当面核验的工作人员工号和姓名',
  },
  /** From the console the signed-in staff member is the one who confirms, never someone named in the body. */
  STAFF_CONFIRMATION_NOT_SELF: {
    status: 403,
    message: '只能以本人身份做人工核验：请由当面核验的工作人员用自己的账号登录后确认',
  },
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

/**
 * The named checks of person–card–code verification (人、卡、码相符) and coverage. Each check has a
 * stable English code (branch on it), a `passed` flag, a Chinese message for desk staff and the
 * sources it looked at.
 *
 * Messages never contain a name or an ID number: when two sources disagree, the message says
 * which sources (社保卡 / 二维码 / 身份证 / HIS登记信息 / 经办机构信息), never what either of them says,
 * so the screen cannot show one person's data to someone presenting another person's card.
 *
 * What a failure does to the verdict is the code's `effect` (see verdict.ts for the precedence):
 * - 'mismatch': the evidence disagrees about who this is, or a credential must be refused
 *   (协议 9: 人、卡不符时拒绝记账) → MISMATCH;
 * - 'not-covered': the person is established but the fund does not pay here → NOT_COVERED;
 * - 'unusable': this piece of evidence cannot serve (expired card, unauthenticated card, expired QR
 *   …); it only matters when no other credential or person evidence is left → INCOMPLETE;
 * - 'incomplete': coverage is not known yet → INCOMPLETE.
 */
export {
  CHECK_CODES,
  CHECK_EFFECTS,
  parseBeijingDateTime,
  type CheckCode,
  type CheckEffect,
  type CheckResult,
} from './check-result';
export {
  checkCardIsPersonsCard,
  checkIdNumbersAgree,
  checkIdNumberValid,
  checkInsurerRefusal,
  checkNamesAgree,
  type Claim,
} from './identity-checks';
export {
  checkCardNotLost,
  checkCardReadable,
  checkCardValidity,
  checkIdCardValidity,
  checkQr,
  checkStaffConfirmation,
} from './credential-checks';
export { checkCoverage, checkCoverageKnown, type CoverageGap, type VisitKind } from './coverage-checks';

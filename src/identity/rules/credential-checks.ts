import { LONG_TERM } from '../../../drivers/protocols/id-card-text';
import type { SsseCardRead } from '../../../drivers/protocols/ssse-card-types';
import type { InsurerPersonAnswer, QrEvidence, StaffConfirmation } from './evidence';
import { isIsoDate, parseBeijingDateTime, result, type CheckResult } from './check-result';

/** The credential checks (card, QR code) and the person-evidence checks (ID card, staff) — see checks.ts. */

// ---- credentials: the card -----------------------------------------------------------------------

/** CARD_AUTH_REQUIRED: the card gave its protected fields (name, 社会保障号码), i.e. it was authenticated. */
export function checkCardReadable(read: SsseCardRead): CheckResult {
  return read.kind === 'complete'
    ? result('CARD_AUTH_REQUIRED', true, ['card'], '社保卡已读取并通过认证')
    : result(
        'CARD_AUTH_REQUIRED',
        false,
        ['card'],
        '社保卡未通过认证，读不到姓名和社会保障号码（三代卡须经读卡器PSAM或经办机构加密机认证）：请重新读卡，或扫描电子社保卡/宁夏融合码二维码',
      );
}

/**
 * CARD_EXPIRED: the card's 卡有效期 (and the insurer's `valid_until` for the same card, when known)
 * is today or later. A date that cannot be read counts as expired.
 */
export function checkCardValidity(
  dates: readonly { readonly source: 'card' | 'insurer' | 'coverageCache'; readonly validUntil: string }[],
  today: string,
): CheckResult {
  const sources = dates.map((d) => d.source);
  // Without a valid calendar day (an invalid clock) nothing can be shown to be within validity.
  const unreadable = !isIsoDate(today) || dates.some((d) => !isIsoDate(d.validUntil));
  if (unreadable) {
    return result(
      'CARD_EXPIRED',
      false,
      sources,
      '社保卡有效期无法识别，按已过期处理：请出示电子社保卡或宁夏融合码二维码',
    );
  }
  const expired = dates.some((d) => d.validUntil < today);
  return expired
    ? result('CARD_EXPIRED', false, sources, '社保卡已超过有效期，不能作为就医凭证：请出示电子社保卡或宁夏融合码二维码')
    : result('CARD_EXPIRED', true, sources, '社保卡在有效期内');
}

/** CARD_LOST: the insurer has not recorded the presented card as lost (挂失). */
export function checkCardNotLost(record: InsurerPersonAnswer, recordSource: 'insurer' | 'coverageCache'): CheckResult {
  return record.card.card_status === 'normal'
    ? result('CARD_LOST', true, ['card', recordSource], '社保卡状态正常（未挂失）')
    : result('CARD_LOST', false, ['card', recordSource], '该社保卡已挂失：拒绝记账，请核实持卡人身份');
}

// ---- credentials: the QR code --------------------------------------------------------------------

/**
 * The QR code as a credential. Decoded: QR_EXPIRED (its `expire_time` was still ahead when the
 * insurer decoded it: the code proves the patient showed it then, and a verdict read later does
 * not lose it; an unreadable time, or an invalid clock, counts as expired). Refused: QR_EXPIRED or
 * QR_INVALID. Not decoded because the insurer was unreachable: QR_DECODE_OFFLINE.
 */
export function checkQr(qr: QrEvidence, now: Date): CheckResult {
  switch (qr.kind) {
    case 'decoded': {
      const expires = parseBeijingDateTime(qr.answer.expire_time);
      return expires !== undefined && Number.isFinite(now.getTime()) && qr.at.getTime() < expires.getTime()
        ? result('QR_EXPIRED', true, ['qr'], '二维码在有效期内')
        : result('QR_EXPIRED', false, ['qr'], '二维码已过期：请患者刷新电子社保卡/宁夏融合码后重新出示');
    }
    case 'refused':
      return qr.reason === 'expired'
        ? result('QR_EXPIRED', false, ['qr'], '二维码已过期：请患者刷新电子社保卡/宁夏融合码后重新出示')
        : result(
            'QR_INVALID',
            false,
            ['qr'],
            '二维码无效（非本平台签发、已被篡改或类型不符）：请患者重新出示电子社保卡或宁夏融合码',
          );
    case 'unreachable':
      return result(
        'QR_DECODE_OFFLINE',
        false,
        ['qr'],
        '经办机构系统暂时无法连接，二维码无法解码：请改用实体社保卡，或待网络恢复后重新扫码',
      );
  }
}

// ---- person evidence -----------------------------------------------------------------------------

/** ID_CARD_EXPIRED: the resident ID card is within its validity (有效期限 end is today or later, or 长期). */
export function checkIdCardValidity(validTo: string, today: string): CheckResult {
  const valid = validTo === LONG_TERM || (isIsoDate(validTo) && validTo >= today);
  return valid
    ? result('ID_CARD_EXPIRED', true, ['idCard'], '身份证在有效期内')
    : result(
        'ID_CARD_EXPIRED',
        false,
        ['idCard'],
        '身份证已超过有效期（或有效期无法识别），不能用于核验本人：请改用其他方式核验',
      );
}

/**
 * STAFF_CONFIRMATION_INVALID: a visual confirmation counts only when it says who confirmed (staff
 * id and name) and when, and that moment is not later than now.
 */
export function checkStaffConfirmation(staff: StaffConfirmation, now: Date): CheckResult {
  const at = staff.at instanceof Date ? staff.at.getTime() : Number.NaN;
  const valid =
    staff.staffId.trim().length > 0 && staff.staffName.trim().length > 0 && Number.isFinite(at) && at <= now.getTime();
  return valid
    ? result('STAFF_CONFIRMATION_INVALID', true, ['staff'], '窗口工作人员已人工核验本人')
    : result(
        'STAFF_CONFIRMATION_INVALID',
        false,
        ['staff'],
        '人工核验记录不完整（缺少核验人或核验时间，或时间晚于当前）：请由窗口工作人员重新确认',
      );
}

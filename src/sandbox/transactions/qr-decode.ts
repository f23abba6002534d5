import { beijingDateTime } from '../../upstream/protocol/msgid';
import { optionalString, requireString } from '../input-fields';
import { QrKind } from '../qr-tokens';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';
import { BaseInfo, baseInfo } from './person-view';

/**
 * 1161 QR code decode (national code of the e-voucher decode, used here for the 电子社保卡 and the
 * 宁夏融合码). A token may be decoded again until it expires (registration, then settlement).
 */
export interface QrDecodeOutput extends BaseInfo {
  qr_kind: QrKind;
  expire_time: string;
}

export function qrDecode(ctx: TxContext): TxResult<QrDecodeOutput> {
  const token = requireString(ctx.input, 'qr_token', '', { maxLength: 512 });
  const kind = optionalString(ctx.input, 'qr_kind');
  if (kind !== undefined && kind !== 'ecard' && kind !== 'fusion') {
    throw new Rejection('字段 qr_kind 应为 ecard（电子社保卡）或 fusion（宁夏融合码）');
  }
  const record = ctx.qrTokens.find(token);
  if (record === undefined) {
    throw new Rejection('二维码无效：非本平台签发或已被篡改');
  }
  if (kind !== undefined && kind !== record.kind) {
    throw new Rejection('二维码类型与 qr_kind 不符');
  }
  if (ctx.now.getTime() >= record.expiresAt.getTime()) {
    throw new Rejection('二维码已过期，请患者刷新后重新出示');
  }
  const person = ctx.people.byCertNo(record.certno);
  if (person === undefined) {
    throw new Rejection('二维码对应人员不存在');
  }
  return {
    output: { ...baseInfo(person), qr_kind: record.kind, expire_time: beijingDateTime(record.expiresAt) },
  };
}

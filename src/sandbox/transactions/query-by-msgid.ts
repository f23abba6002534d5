import { ReplyEnvelope } from '../../upstream/protocol/envelope';
import { beijingDateTime, parseMsgid } from '../../upstream/protocol/msgid';
import { INFCODE } from '../../upstream/protocol/transactions';
import { optionalString, requireString } from '../input-fields';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/**
 * 9201 (ours) query by msgid: what became of a message whose reply never arrived. Answers the
 * stored, signed reply; `INFCODE.unknownMsgid` when the insurer never received it, which is
 * the one case where sending that message again is safe.
 */
export interface QueryByMsgidOutput {
  omsgid: string;
  oinfno: string;
  received_time: string;
  times_received: number;
  reply: ReplyEnvelope;
}

export function queryByMsgid(ctx: TxContext): TxResult<QueryByMsgidOutput> {
  const omsgid = requireString(ctx.input, 'omsgid');
  const oinfno = optionalString(ctx.input, 'oinfno', '', { pattern: /^\d{4}$/, format: '4位交易编号' });
  const parsed = parseMsgid(omsgid);
  if (parsed === undefined) {
    throw new Rejection('字段 omsgid 格式错误');
  }
  if (parsed.fixmedinsCode !== ctx.envelope.fixmedins_code) {
    throw new Rejection('只能查询本机构发出的报文');
  }
  const record = ctx.messages.get(omsgid);
  if (record === undefined) {
    throw new Rejection('未收到该报文（omsgid 不存在），可以重新发送原报文', INFCODE.unknownMsgid);
  }
  if (oinfno !== undefined && oinfno !== record.infno) {
    throw new Rejection(`原交易编号不符：omsgid 对应的交易为 ${record.infno}`);
  }
  return {
    output: {
      omsgid,
      oinfno: record.infno,
      received_time: beijingDateTime(record.receivedAt),
      times_received: record.timesReceived,
      reply: record.reply,
    },
  };
}

import { beijingDateTime, parseMsgid } from '../../upstream/protocol/msgid';
import { INFCODE, INFNO } from '../../upstream/protocol/transactions';
import { requireString } from '../input-fields';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/**
 * 2601 reversal (冲正, national code and fields): undoes a settlement named by the msgid and
 * infno of the message that made it — for a message whose outcome is in doubt. Only
 * settlements can be reversed, each once, and not one already cancelled by 2208 / 2305 (the
 * normal business undo, by setl_id: settlement-cancel.ts).
 */
export interface ReversalOutput {
  omsgid: string;
  oinfno: string;
  setl_id: string;
  rvs_time: string;
}

const REVERSIBLE: readonly string[] = [INFNO.outpatientSettlement, INFNO.inpatientSettlement];

export function reversal(ctx: TxContext): TxResult<ReversalOutput> {
  const psnNo = requireString(ctx.input, 'psn_no', '', { maxLength: 30 });
  const omsgid = requireString(ctx.input, 'omsgid');
  const oinfno = requireString(ctx.input, 'oinfno', '', { pattern: /^\d{4}$/, format: '4位交易编号' });
  const parsed = parseMsgid(omsgid);
  if (parsed === undefined) {
    throw new Rejection('原交易报文ID omsgid 格式错误');
  }
  if (parsed.fixmedinsCode !== ctx.envelope.fixmedins_code) {
    throw new Rejection('只能冲正本机构发起的交易');
  }
  if (!REVERSIBLE.includes(oinfno)) {
    throw new Rejection(`交易 ${oinfno} 不支持冲正，只能冲正结算交易（2207、2304）`);
  }
  const original = ctx.messages.get(omsgid);
  if (original === undefined) {
    throw new Rejection('原交易不存在：未收到该 omsgid 的报文，无需冲正');
  }
  if (original.infno !== oinfno) {
    throw new Rejection(`原交易编号不符：omsgid 对应的交易为 ${original.infno}`);
  }
  if (original.reply.infcode !== INFCODE.ok) {
    throw new Rejection('原交易未成功，无需冲正');
  }
  const setlId = ctx.ledger.settlementByMsgid.get(omsgid);
  const settlement = setlId !== undefined ? ctx.ledger.settlements.get(setlId) : undefined;
  if (settlement === undefined) {
    throw new Rejection('原交易没有对应的结算记录');
  }
  if (settlement.psn_no !== psnNo) {
    throw new Rejection('人员编号 psn_no 与原结算不符');
  }
  if (settlement.reversal !== null) {
    throw new Rejection(`原交易已于 ${beijingDateTime(settlement.reversal.at)} 冲正，不能重复冲正`);
  }
  if (settlement.cancellation !== null) {
    const { at, infno } = settlement.cancellation;
    throw new Rejection(`原结算已于 ${beijingDateTime(at)} 撤销（${infno}），无需冲正`);
  }
  ctx.ledger.reverse(settlement, ctx.envelope.msgid, ctx.now);
  return {
    output: { omsgid, oinfno, setl_id: settlement.setl_id, rvs_time: beijingDateTime(ctx.now) },
  };
}

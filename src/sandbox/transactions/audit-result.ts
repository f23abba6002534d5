import { addDays } from '../../calendar/rules/working-days';
import { beijingDateTime } from '../../upstream/protocol/msgid';
import { AuditReasonCode, AuditVersion } from '../audits';
import { beijingDate } from '../dates';
import { optionalString, requireCount, requireString } from '../input-fields';
import { toYuan } from '../money';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/**
 * 3501 (ours) audit result query (审核结果查询): the insurer audits the costs a hospital uploaded
 * within 30 days (办法 16). The answer is the settlement's audit: pending, or done with the
 * deductions per fee line (扣款明细) and their reasons. A result can be amended: each amendment is a
 * new `audit_ver`; `audit_ver` in the input asks for an earlier one.
 */
export interface AuditDeduction {
  feedetl_sn: string;
  med_list_codg: string;
  item_name: string;
  det_item_fee_sumamt: number;
  fund_pay_amt: number;
  dedu_amt: number;
  dedu_rea_code: AuditReasonCode;
  dedu_rea: string;
}

export interface AuditResultOutput {
  setl_id: string;
  psn_no: string;
  mdtrt_id: string;
  setl_time: string;
  /** The last day of the insurer's 30 days (calendar days after the settlement's day, Beijing). */
  audit_deadline: string;
  audit_state: 'pending' | 'done';
  /** 0 while pending; 1, 2 … (each amendment adds one). */
  audit_ver: number;
  /** The latest version's number (equals audit_ver unless an earlier one was asked for). */
  latest_audit_ver: number;
  audit_time: string | null;
  medfee_sumamt: number;
  fund_pay_sumamt: number;
  /** What the audit deducts from the fund's part (0 while pending). */
  dedu_sumamt: number;
  /** The fund's part the audit approves (fund_pay_sumamt − dedu_sumamt); null while pending. */
  fund_aprv_amt: number | null;
  deductions: AuditDeduction[];
}

export const AUDIT_DAYS = 30;

export function auditResultQuery(ctx: TxContext): TxResult<AuditResultOutput> {
  const { input } = ctx;
  const setlId = requireString(input, 'setl_id', '', { maxLength: 30 });
  const psnNo = optionalString(input, 'psn_no', '', { maxLength: 30 });
  const askedVersion =
    input.audit_ver === undefined || input.audit_ver === null ? undefined : requireCount(input, 'audit_ver');

  const s = ctx.ledger.settlements.get(setlId);
  if (s === undefined || s.fixmedins_code !== ctx.envelope.fixmedins_code) {
    throw new Rejection('结算ID setl_id 不存在');
  }
  if (psnNo !== undefined && psnNo !== s.psn_no) {
    throw new Rejection('人员编号 psn_no 与结算记录不符');
  }
  if (s.reversal !== null) {
    throw new Rejection(`该结算已于 ${beijingDateTime(s.reversal.at)} 冲正，不予审核`);
  }
  if (s.cancellation !== null) {
    throw new Rejection(`该结算已于 ${beijingDateTime(s.cancellation.at)} 撤销，不予审核`);
  }
  const versions = ctx.ledger.audits.released(s, ctx.now);
  const latest = versions.at(-1);
  let shown: AuditVersion | undefined = latest;
  if (askedVersion !== undefined) {
    shown = versions.find((v) => v.version === askedVersion);
    if (shown === undefined) {
      throw new Rejection(`审核结果版本 audit_ver ${askedVersion} 不存在`);
    }
  }
  const lines = new Map(s.lines.map((l) => [l.feedetl_sn, l]));
  const deductions = (shown?.deductions ?? []).map((d): AuditDeduction => {
    const line = lines.get(d.feedetl_sn);
    if (line === undefined) {
      throw new Error(`sandbox audit of ${setlId} names a line it does not have: ${d.feedetl_sn}`);
    }
    return {
      feedetl_sn: d.feedetl_sn,
      med_list_codg: line.med_list_codg,
      item_name: line.item_name,
      det_item_fee_sumamt: toYuan(line.amountCents),
      fund_pay_amt: toYuan(line.fundCents),
      dedu_amt: toYuan(d.amountCents),
      dedu_rea_code: d.reason_code,
      dedu_rea: d.reason,
    };
  });
  const deductedCents = (shown?.deductions ?? []).reduce((acc, d) => acc + d.amountCents, 0);
  return {
    output: {
      setl_id: s.setl_id,
      psn_no: s.psn_no,
      mdtrt_id: s.mdtrt_id,
      setl_time: beijingDateTime(s.setl_time),
      audit_deadline: addDays(beijingDate(s.setl_time), AUDIT_DAYS),
      audit_state: shown === undefined ? 'pending' : 'done',
      audit_ver: shown?.version ?? 0,
      latest_audit_ver: latest?.version ?? 0,
      audit_time: shown === undefined ? null : beijingDateTime(shown.at),
      medfee_sumamt: toYuan(s.medfeeCents),
      fund_pay_sumamt: toYuan(s.fundCents),
      dedu_sumamt: toYuan(deductedCents),
      fund_aprv_amt: shown === undefined ? null : toYuan(s.fundCents - deductedCents),
      deductions,
    },
  };
}

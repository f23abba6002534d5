import { beijingDateTime } from '../../upstream/protocol/msgid';
import { toYuan } from '../money';
import { TxContext, TxResult } from './context';
import { FeeLine, LineSplit, missingTraceCodeWarning, splitLine } from './fee-lines';
import { planSettlement, SettlementPlan } from './settlement-plan';

/**
 * 2207 outpatient and 2304 inpatient settlement (national codes, fields simplified): the fund's
 * part is charged to the insurer (记账), the worker pays the rest (即时结算, 办法 25).
 * 2206 / 2303 pre-settlement (预结算): the same checks and the same split, and nothing recorded —
 * no settlement, nothing to reconcile or declare, trace codes not consumed.
 */
export interface PreSettlementOutput {
  mdtrt_id: string;
  psn_no: string;
  psn_name: string;
  medfee_sumamt: number;
  fund_pay_sumamt: number;
  psn_pay_sumamt: number;
  setldetail: LineSplit[];
  /** Only on a conversion (自费转工伤): "1". */
  cvs_flag?: '1';
  /** Only on a conversion: what the hospital refunds to whoever advanced the costs (the fund's part). */
  refd_amt?: number;
}

export interface SettlementOutput extends PreSettlementOutput {
  setl_id: string;
  setl_time: string;
}

export function outpatientSettlement(ctx: TxContext): TxResult<SettlementOutput> {
  return settle(ctx, planSettlement(ctx, '2207'));
}

export function inpatientSettlement(ctx: TxContext): TxResult<SettlementOutput> {
  return settle(ctx, planSettlement(ctx, '2304'));
}

export function outpatientPreSettlement(ctx: TxContext): TxResult<PreSettlementOutput> {
  return preview(planSettlement(ctx, '2207'));
}

export function inpatientPreSettlement(ctx: TxContext): TxResult<PreSettlementOutput> {
  return preview(planSettlement(ctx, '2304'));
}

function preview(plan: SettlementPlan): TxResult<PreSettlementOutput> {
  const { setldetail, fundCents } = split(plan.lines);
  return { output: summary(plan, setldetail, fundCents), warn: missingTraceCodeWarning(plan.lines) };
}

function settle(ctx: TxContext, plan: SettlementPlan): TxResult<SettlementOutput> {
  const { ledger, envelope } = ctx;
  // Everything checked: from here on the settlement is recorded.
  const { setldetail, fundCents, lineFundCents } = split(plan.lines);
  const setlId = ledger.nextId('ST', ctx.now);
  ledger.addSettlement({
    setl_id: setlId,
    msgid: envelope.msgid,
    infno: plan.infno,
    fixmedins_code: envelope.fixmedins_code,
    psn_no: plan.psnNo,
    mdtrt_id: plan.mdtrtId,
    setl_time: ctx.now,
    begndate: plan.begndate,
    enddate: plan.enddate,
    dise_codg: plan.diseCodg,
    feedetail_cnt: plan.lines.length,
    medfeeCents: plan.medfeeCents,
    fundCents,
    psnCents: plan.medfeeCents - fundCents,
    traceCodes: plan.lines.flatMap((l) => l.drug_trac_codg),
    conversion: plan.conversion,
    reversal: null,
    cancellation: null,
    crossUploadReceipt: null,
    lines: plan.lines.map((l, i) => ({
      feedetl_sn: l.feedetl_sn,
      med_list_codg: l.med_list_codg,
      item_name: l.item_name,
      list_type: l.list_type,
      cnt: l.cnt,
      pric: l.pric,
      amountCents: l.amountCents,
      fundCents: lineFundCents[i],
      traceCodeCount: l.drug_trac_codg.length,
    })),
    audit: { versions: [], hold: false },
  });
  const { mdtrt_id, psn_no, psn_name, ...amounts } = summary(plan, setldetail, fundCents);
  return {
    output: { setl_id: setlId, mdtrt_id, psn_no, psn_name, setl_time: beijingDateTime(ctx.now), ...amounts },
    warn: missingTraceCodeWarning(plan.lines),
  };
}

function split(lines: FeeLine[]): { setldetail: LineSplit[]; fundCents: number; lineFundCents: number[] } {
  const setldetail: LineSplit[] = [];
  const lineFundCents: number[] = [];
  let fundCents = 0;
  for (const line of lines) {
    const s = splitLine(line);
    fundCents += s.fundCents;
    lineFundCents.push(s.fundCents);
    setldetail.push({
      feedetl_sn: line.feedetl_sn,
      det_item_fee_sumamt: toYuan(line.amountCents),
      fund_pay_amt: toYuan(s.fundCents),
      psn_pay_amt: toYuan(s.psnCents),
      selfpay_reason: s.reason,
    });
  }
  return { setldetail, fundCents, lineFundCents };
}

function summary(plan: SettlementPlan, setldetail: LineSplit[], fundCents: number): PreSettlementOutput {
  return {
    mdtrt_id: plan.mdtrtId,
    psn_no: plan.psnNo,
    psn_name: plan.person.psn_name,
    medfee_sumamt: toYuan(plan.medfeeCents),
    fund_pay_sumamt: toYuan(fundCents),
    psn_pay_sumamt: toYuan(plan.medfeeCents - fundCents),
    setldetail,
    ...(plan.conversion ? { cvs_flag: '1' as const, refd_amt: toYuan(fundCents) } : {}),
  };
}

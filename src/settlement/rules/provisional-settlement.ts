import type { PreAuditResult } from './pre-audit-result';
import type { SettlementMessage } from './settlement-message';
import { deskCollectsFen, type InsurerSplit, type LineSplit } from './settlement-reply';

/**
 * Settling while the insurer is away (协议 25, R14: emergency plan). The settlement message is queued
 * as usual; meanwhile the desk collects what the hospital's own pre-audit says the worker pays: a
 * provisional split. When the insurer's final split arrives, what the worker pays under each is
 * compared, and any difference becomes an amount to collect from or refund to the worker. Pure.
 */

/** The split the local pre-audit gives the lines sent, in the insurer's shape, and what the desk collects. */
export interface ProvisionalSplit extends InsurerSplit {
  /** What the desk collects under this split (the same computation as for the insurer's split). */
  readonly deskCollectsFen: number;
}

/** Why the pre-audit makes a sent line the worker's, as the insurer would word it. */
const SELF_PAY_REASONS: Readonly<Record<string, string>> = {
  NOT_INJURY_RELATED: '非工伤治疗费用',
  ITEM_OUTSIDE_CATALOGUE: '工伤保险目录外项目',
};
const OTHER_SELF_PAY_REASON = '医院预审：个人支付';

/**
 * Each line sent to the insurer split as the pre-audit judged it: a `fund` line is the fund's in full,
 * a `selfPay` line the worker's in full (a refused line is never sent: the message is only built for a
 * visit the pre-audit lets through). The lines kept out of the message stay the worker's, as in the
 * final split. No setl_id or setl_time: the insurer has settled nothing.
 */
export function provisionalSplit(sent: SettlementMessage, audit: PreAuditResult): ProvisionalSplit {
  const audited = new Map(audit.lines.map((l) => [l.lineId, l]));
  const lines: LineSplit[] = sent.sentLineIds.map((lineId) => {
    const line = audited.get(lineId);
    if (!line || line.disposition === 'refused') {
      throw new Error(`line ${lineId} was sent but the pre-audit does not let it through`);
    }
    if (line.disposition === 'fund') {
      return { lineId, amountFen: line.amountFen, fundFen: line.amountFen, selfPayFen: 0, reason: null };
    }
    const finding = line.findings.find((f) => f.severity === 'selfPay');
    const reason = (finding && SELF_PAY_REASONS[finding.code]) ?? OTHER_SELF_PAY_REASON;
    return { lineId, amountFen: line.amountFen, fundFen: 0, selfPayFen: line.amountFen, reason };
  });
  const fundFen = lines.reduce((a, l) => a + l.fundFen, 0);
  const selfPayFen = lines.reduce((a, l) => a + l.selfPayFen, 0);
  if (fundFen + selfPayFen !== sent.sentTotalFen) {
    throw new Error(`the provisional split (${fundFen} + ${selfPayFen} fen) is not the ${sent.sentTotalFen} fen sent`);
  }
  const split: InsurerSplit = {
    setlId: null,
    setlTime: null,
    totalFen: sent.sentTotalFen,
    fundFen,
    selfPayFen,
    lines,
    refundFen: null,
  };
  return { ...split, deskCollectsFen: deskCollectsFen(split, sent, audit) };
}

export type DifferenceDirection = 'collect' | 'refund';

/** What the desk must still do about one settlement: collect from the worker, or refund them. */
export interface SettlementDifference {
  readonly direction: DifferenceDirection;
  /** Always above 0. */
  readonly differenceFen: number;
}

/**
 * The difference between what the desk collected under the provisional split and what the worker pays
 * under the insurer's final one: `collect` when the worker owes more, `refund` when they paid too
 * much; null when they are the same. A settlement the insurer rejected has no final split: the worker
 * owes the part the fund was expected to pay (finalFen = provisional + fund part), unless the visit is
 * settled again (the desk then resolves the difference naming the new settlement).
 */
export function settlementDifference(provisionalFen: number, finalFen: number): SettlementDifference | null {
  if (!Number.isSafeInteger(provisionalFen) || !Number.isSafeInteger(finalFen) || provisionalFen < 0 || finalFen < 0) {
    throw new Error(`amounts must be whole fen at least 0 (got ${provisionalFen}, ${finalFen})`);
  }
  if (provisionalFen === finalFen) {
    return null;
  }
  return finalFen > provisionalFen
    ? { direction: 'collect', differenceFen: finalFen - provisionalFen }
    : { direction: 'refund', differenceFen: provisionalFen - finalFen };
}

const yuan = (fen: number): string => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** What the desk is to do about a difference, in Chinese (the list and the desk's WebSocket say it). */
export function differenceMessage(d: {
  readonly mdtrtId: string;
  readonly cause: 'split-differs' | 'rejected';
  readonly direction: DifferenceDirection;
  readonly differenceFen: number;
  readonly provisionalFen: number;
  readonly finalFen: number;
}): string {
  const amounts = `临时结算收取 ${yuan(d.provisionalFen)} 元，按医保结果应由患者支付 ${yuan(d.finalFen)} 元`;
  if (d.cause === 'rejected') {
    return `就诊 ${d.mdtrtId}：医保拒绝了应急期间的临时结算，工伤基金部分须由患者支付，请向患者补收 ${yuan(d.differenceFen)} 元（${amounts}），或按医保提示更正后重新结算`;
  }
  return d.direction === 'collect'
    ? `就诊 ${d.mdtrtId}：医保结算结果与临时结算不同，请向患者补收 ${yuan(d.differenceFen)} 元（${amounts}）`
    : `就诊 ${d.mdtrtId}：医保结算结果与临时结算不同，请退还患者 ${yuan(d.differenceFen)} 元（${amounts}）`;
}

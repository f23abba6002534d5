import type { FeeLine } from './pre-audit-input';
import type { LineAudit, PreAuditResult } from './pre-audit-result';
import { fenToWire, thousandthsToWire } from './wire-money';
import { parseCount } from './money';

/**
 * The settlement message (2206/2207 outpatient, 2303/2304 inpatient: the same input) built from a
 * pre-audited visit. Pure.
 *
 * Which lines go to the insurer: a line the pre-audit lets through (not refused) that has a catalogue
 * code, except a line dated from the discharge notice on. The insurer splits what it receives (a
 * line marked `injury_related: false` comes back as the worker's, 办法 15(3)). The rest is the
 * worker's without asking the insurer: an item with no catalogue code cannot be a fund line (协议 19),
 * and a line after the discharge notice must not be charged to the fund at all (协议 13(4)).
 */

export type SettlementVisitFacts =
  | { readonly kind: 'outpatient'; /** 'yyyy-MM-dd HH:mm:ss', Beijing. */ readonly begntime: string }
  | { readonly kind: 'inpatient'; /** 'yyyy-MM-dd'. */ readonly admDate: string; readonly dscgDate: string };

export interface SettlementFacts {
  /** The insurer's person number, as the MATCH verification token carries it. */
  readonly psnNo: string;
  /** The visit id shared with the insurer (mdtrt_id). */
  readonly mdtrtId: string;
  /** The card presented, when it was a physical card. */
  readonly cardSn: string | null;
  readonly diagnosisCode: string;
  readonly diagnosisName: string;
  readonly visit: SettlementVisitFacts;
  /** 自费转工伤 (R10): a visit the worker paid before the determination, settled now. */
  readonly conversion: boolean;
}

/** A line kept out of the message: the worker pays it, the desk collects it locally. */
export interface LocalSelfPayLine {
  readonly lineId: string;
  readonly amountFen: number;
  readonly reason: 'not-mapped' | 'after-discharge-notice';
}

export interface SettlementMessage {
  /** The transaction input, national field names. */
  readonly input: Record<string, unknown>;
  /** Line ids sent, in order (feedetl_sn). */
  readonly sentLineIds: readonly string[];
  /** medfee_sumamt in fen: the sum of the lines sent. */
  readonly sentTotalFen: number;
  readonly localSelfPay: readonly LocalSelfPayLine[];
}

/** Thrown when asked to build a message for a visit the pre-audit refuses: a programming error. */
export class NotSettleableError extends Error {}

export function settlementMessage(
  facts: SettlementFacts,
  lines: readonly FeeLine[],
  audit: PreAuditResult,
  traceCodes: ReadonlyMap<string, readonly string[]>,
): SettlementMessage {
  if (!audit.verdict.canSettle || audit.lines.length !== lines.length) {
    throw new NotSettleableError(`visit ${facts.mdtrtId}: the pre-audit does not allow settling it`);
  }
  const feedetail: Record<string, unknown>[] = [];
  const sentLineIds: string[] = [];
  const localSelfPay: LocalSelfPayLine[] = [];
  let sentTotalFen = 0;
  lines.forEach((line, i) => {
    const audited = audit.lines[i];
    const local = localReason(audited);
    if (local) {
      localSelfPay.push({ lineId: line.lineId, amountFen: line.amountFen, reason: local });
      return;
    }
    feedetail.push(feeDetail(line, audited.insurerCode as string, traceCodes.get(line.lineId) ?? []));
    sentLineIds.push(line.lineId);
    sentTotalFen += line.amountFen;
  });
  const input: Record<string, unknown> = {
    psn_no: facts.psnNo,
    mdtrt_id: facts.mdtrtId,
    ...(facts.cardSn ? { card_sn: facts.cardSn } : {}),
    dise_codg: facts.diagnosisCode,
    dise_name: facts.diagnosisName,
    ...(facts.visit.kind === 'outpatient'
      ? { begntime: facts.visit.begntime }
      : { adm_date: facts.visit.admDate, dscg_date: facts.visit.dscgDate }),
    ...(facts.conversion ? { cvs_flag: '1' } : {}),
    medfee_sumamt: fenToWire(sentTotalFen),
    feedetail,
  };
  return { input, sentLineIds, sentTotalFen, localSelfPay };
}

function localReason(audited: LineAudit): LocalSelfPayLine['reason'] | undefined {
  if (audited.insurerCode === null) {
    return 'not-mapped';
  }
  if (audited.findings.some((f) => f.code === 'AFTER_DISCHARGE_NOTICE')) {
    return 'after-discharge-notice';
  }
  return undefined;
}

function feeDetail(line: FeeLine, insurerCode: string, codes: readonly string[]): Record<string, unknown> {
  const count = parseCount(line.count);
  if (count === undefined) {
    throw new NotSettleableError(`line ${line.lineId}: count ${line.count} is malformed`);
  }
  return {
    feedetl_sn: line.lineId,
    med_list_codg: insurerCode,
    item_name: line.itemName,
    list_type: line.kind,
    cnt: thousandthsToWire(count),
    pric: fenToWire(line.unitPriceFen),
    det_item_fee_sumamt: fenToWire(line.amountFen),
    injury_related: line.injuryRelated,
    ...(line.kind === 'drug' ? { drug_trac_codg: [...codes] } : {}),
  };
}

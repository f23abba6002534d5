import { isConversionInput } from './conversion';
import type { PreAuditResult } from './pre-audit-result';
import type { SettlementMessage } from './settlement-message';
import { wireToFen } from './wire-money';

/**
 * The insurer's answer to a (pre-)settlement (2206/2207, 2303/2304), read into integer fen and
 * checked against what was sent: every line sent answered once, each line's fund + worker parts equal
 * its amount, the parts add up to the total, the total is what was sent. A reply that fails any of
 * this is not recorded as a split (the desk would collect a wrong amount); it is a problem to report.
 * Pure.
 */

export interface LineSplit {
  readonly lineId: string;
  readonly amountFen: number;
  readonly fundFen: number;
  readonly selfPayFen: number;
  /** The insurer's reason for a self-pay part, e.g. 非工伤治疗费用. */
  readonly reason: string | null;
}

export interface InsurerSplit {
  /** Null for a pre-settlement (2206/2303): nothing was settled. */
  readonly setlId: string | null;
  /** 'yyyy-MM-dd HH:mm:ss' Beijing, as the insurer gives it; null for a pre-settlement. */
  readonly setlTime: string | null;
  readonly totalFen: number;
  readonly fundFen: number;
  readonly selfPayFen: number;
  readonly lines: readonly LineSplit[];
  /** 自费转工伤: what the hospital refunds to whoever advanced the costs; null otherwise. */
  readonly refundFen: number | null;
}

export type SettlementReading =
  { readonly ok: true; readonly split: InsurerSplit } | { readonly ok: false; readonly problem: string };

type Fields = Record<string, unknown>;

export function readSettlementReply(output: unknown, sent: SettlementMessage, settled: boolean): SettlementReading {
  try {
    return { ok: true, split: read(output, sent, settled) };
  } catch (e) {
    if (e instanceof ReplyProblem) {
      return { ok: false, problem: e.message };
    }
    throw e;
  }
}

class ReplyProblem extends Error {}

function read(output: unknown, sent: SettlementMessage, settled: boolean): InsurerSplit {
  const o = fields(output, 'output');
  if (o.mdtrt_id !== sent.input.mdtrt_id) {
    throw new ReplyProblem(`mdtrt_id ${String(o.mdtrt_id)} is not the visit sent (${String(sent.input.mdtrt_id)})`);
  }
  const totalFen = fen(o, 'medfee_sumamt');
  const fundFen = fen(o, 'fund_pay_sumamt');
  const selfPayFen = fen(o, 'psn_pay_sumamt');
  if (totalFen !== sent.sentTotalFen) {
    throw new ReplyProblem(`medfee_sumamt ${totalFen} fen differs from the ${sent.sentTotalFen} fen sent`);
  }
  if (fundFen + selfPayFen !== totalFen) {
    throw new ReplyProblem(`fund ${fundFen} + worker ${selfPayFen} fen do not add up to ${totalFen} fen`);
  }
  const lines = readLines(o, sent);
  if (lines.reduce((a, l) => a + l.fundFen, 0) !== fundFen) {
    throw new ReplyProblem('the lines’ fund parts do not add up to fund_pay_sumamt');
  }
  const setlId = settled ? text(o, 'setl_id') : null;
  const setlTime = settled ? text(o, 'setl_time') : null;
  const refundFen = conversionRefund(o, sent, fundFen);
  return { setlId, setlTime, totalFen, fundFen, selfPayFen, lines, refundFen };
}

/**
 * 自费转工伤: a conversion sent must come back as one (`cvs_flag` "1") with `refd_amt`, the fund's
 * part, which the hospital refunds; a normal settlement must not come back as a conversion.
 */
function conversionRefund(o: Fields, sent: SettlementMessage, fundFen: number): number | null {
  const asked = isConversionInput(sent.input);
  const answered = o.cvs_flag === '1';
  if (asked !== answered) {
    throw new ReplyProblem(
      asked
        ? 'a conversion (cvs_flag "1") was sent but the reply is not one'
        : 'the reply is a conversion (cvs_flag "1") but a normal settlement was sent',
    );
  }
  if (!asked) {
    return null;
  }
  const refundFen = fen(o, 'refd_amt');
  if (refundFen !== fundFen) {
    throw new ReplyProblem(`refd_amt ${refundFen} fen is not the fund's part (${fundFen} fen)`);
  }
  return refundFen;
}

function readLines(o: Fields, sent: SettlementMessage): LineSplit[] {
  if (!Array.isArray(o.setldetail)) {
    throw new ReplyProblem('setldetail is missing');
  }
  const byId = new Map<string, LineSplit>();
  o.setldetail.forEach((raw, i) => {
    const l = fields(raw, `setldetail[${i}]`);
    const lineId = text(l, 'feedetl_sn');
    const line: LineSplit = {
      lineId,
      amountFen: fen(l, 'det_item_fee_sumamt'),
      fundFen: fen(l, 'fund_pay_amt'),
      selfPayFen: fen(l, 'psn_pay_amt'),
      reason: typeof l.selfpay_reason === 'string' && l.selfpay_reason !== '' ? l.selfpay_reason : null,
    };
    if (line.fundFen + line.selfPayFen !== line.amountFen || line.fundFen < 0 || line.selfPayFen < 0) {
      throw new ReplyProblem(`line ${lineId}: fund and worker parts do not make its amount`);
    }
    if (byId.has(lineId) || !sent.sentLineIds.includes(lineId)) {
      throw new ReplyProblem(`line ${lineId} answered twice or never sent`);
    }
    byId.set(lineId, line);
  });
  if (byId.size !== sent.sentLineIds.length) {
    throw new ReplyProblem(`${sent.sentLineIds.length - byId.size} line(s) sent but not answered`);
  }
  return sent.sentLineIds.map((id) => byId.get(id) as LineSplit);
}

/**
 * What the desk collects from the worker: the insurer's worker part, plus the lines kept out of the
 * message, less those the hospital must bear (self-pay without a signed consent, 协议 18).
 *
 * A conversion (自费转工伤) collects nothing: the worker already paid the whole visit (its receipts
 * equal its lines, which the conversion's pre-audit checks), so the worker's part and the local
 * lines are paid; what is owed goes the other way, the fund's part (`refundFen`) back to the worker.
 */
export function deskCollectsFen(split: InsurerSplit, sent: SettlementMessage, audit: PreAuditResult): number {
  if (isConversionInput(sent.input)) {
    return 0;
  }
  const hospitalBears = new Set(
    audit.lines.filter((l) => l.findings.some((f) => f.severity === 'hospitalLoss')).map((l) => l.lineId),
  );
  const local = sent.localSelfPay.filter((l) => !hospitalBears.has(l.lineId)).reduce((a, l) => a + l.amountFen, 0);
  return split.selfPayFen + local;
}

function fields(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReplyProblem(`${path} is not an object`);
  }
  return value as Fields;
}

function fen(o: Fields, key: string): number {
  const v = wireToFen(o[key]);
  if (v === undefined) {
    throw new ReplyProblem(`${key} is not an amount in yuan with at most two decimals: ${JSON.stringify(o[key])}`);
  }
  return v;
}

function text(o: Fields, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') {
    throw new ReplyProblem(`${key} is missing`);
  }
  return v;
}

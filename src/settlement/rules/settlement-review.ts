import type { SettlementMessage } from './settlement-message';
import { fenToWire, wireToFen } from './wire-money';

/**
 * Judgements of the way out of `needs-review` and of a cancel asked for before the outcome was
 * known. Pure.
 */

/**
 * Where a cancel requested before the outcome stands, from the settlement's status: `waiting` for
 * the outcome (pending, needs-review), `moot` when the insurer did not settle it (rejected: nothing
 * to cancel), `sent` once the 2208 / 2305 went out (cancelling, cancelled, or settled again when
 * the insurer refused the cancel).
 */
export type CancelRequestState = 'waiting' | 'sent' | 'moot';

export function cancelRequestState(status: string): CancelRequestState {
  if (status === 'pending' || status === 'needs-review') {
    return 'waiting';
  }
  return status === 'rejected' ? 'moot' : 'sent';
}

/** A line's split as IT read it from the insurer (fen). */
export interface ConfirmedLine {
  readonly lineId: string;
  readonly fundFen: number;
  readonly selfPayFen: number;
}

/** What IT confirmed with the insurer (phone, portal) for a settlement the insurer holds as settled. */
export interface ConfirmedSettlement {
  readonly setlId: string;
  /** 'yyyy-MM-dd HH:mm:ss' Beijing, as the insurer's record shows it. */
  readonly setlTime: string;
  readonly fundFen: number;
  readonly selfPayFen: number;
  /** Every line sent, once; may be left out when the whole total is the fund's or the worker's. */
  readonly lines?: readonly ConfirmedLine[];
}

/**
 * The insurer's settlement output as IT confirmed it, written as the insurer writes it (yuan on
 * the wire), so that it goes through exactly the checks of a reply (readSettlementReply): the total
 * is what was sent, the parts add up overall and per line, every line sent answered once. A string
 * when the lines cannot be known: they are needed unless the fund or the worker pays everything.
 */
export function confirmedOutput(c: ConfirmedSettlement, sent: SettlementMessage): Record<string, unknown> | string {
  const amounts = sentLineAmounts(sent);
  let lines: readonly ConfirmedLine[];
  if (c.lines !== undefined) {
    lines = c.lines;
  } else if (c.selfPayFen === 0 || c.fundFen === 0) {
    const toFund = c.selfPayFen === 0;
    lines = [...amounts].map(([lineId, amountFen]) => ({
      lineId,
      fundFen: toFund ? amountFen : 0,
      selfPayFen: toFund ? 0 : amountFen,
    }));
  } else {
    return `the split of each of the ${amounts.size} line(s) sent is needed when both the fund and the worker pay a part`;
  }
  return {
    mdtrt_id: sent.input.mdtrt_id,
    setl_id: c.setlId,
    setl_time: c.setlTime,
    medfee_sumamt: fenToWire(c.fundFen + c.selfPayFen),
    fund_pay_sumamt: fenToWire(c.fundFen),
    psn_pay_sumamt: fenToWire(c.selfPayFen),
    setldetail: lines.map((l) => ({
      feedetl_sn: l.lineId,
      det_item_fee_sumamt: fenToWire(amounts.get(l.lineId) ?? l.fundFen + l.selfPayFen),
      fund_pay_amt: fenToWire(l.fundFen),
      psn_pay_amt: fenToWire(l.selfPayFen),
    })),
  };
}

/** The lines of the message as sent: line id → amount in fen. */
function sentLineAmounts(sent: SettlementMessage): Map<string, number> {
  const details = Array.isArray(sent.input.feedetail) ? (sent.input.feedetail as Record<string, unknown>[]) : [];
  return new Map(details.map((d) => [String(d.feedetl_sn), wireToFen(d.det_item_fee_sumamt) ?? 0]));
}

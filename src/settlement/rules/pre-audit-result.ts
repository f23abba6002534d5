import type { Finding, FindingSeverity } from './findings';

/** What the pre-audit answers (pre-audit.ts). Pure data. */

/** Where a line's amount goes: the fund, the worker (self-pay), or nowhere until fixed. */
export type Disposition = 'fund' | 'selfPay' | 'refused';

export interface LineAudit {
  readonly lineId: string;
  /** Position in the input (line ids may be duplicated; the index is not). */
  readonly index: number;
  readonly disposition: Disposition;
  /** The line's amount as declared, integer fen. */
  readonly amountFen: number;
  /** The insurer's catalogue code when the item is mapped, else null. */
  readonly insurerCode: string | null;
  readonly findings: readonly Finding[];
}

/** Integer fen. fund + selfPay + refused = lineSum. hospitalLoss is the part of selfPay with no signed consent. */
export interface PreAuditTotals {
  readonly lineSumFen: number;
  readonly fundFen: number;
  readonly selfPayFen: number;
  readonly refusedFen: number;
  /** Self-pay the hospital bears: it may not be collected from the worker (协议 18). */
  readonly hospitalLossFen: number;
}

export interface PreAuditVerdict {
  /** No finding of severity 'refuse', on any line or the visit. */
  readonly canSettle: boolean;
  /** Chinese summary for the desk. */
  readonly message: string;
}

export interface PreAuditResult {
  readonly verdict: PreAuditVerdict;
  /** One per input line, in input order. */
  readonly lines: readonly LineAudit[];
  readonly visitFindings: readonly Finding[];
  readonly totals: PreAuditTotals;
}

/**
 * A line's disposition from its findings: refused when any refuses, else self-pay when any makes it
 * self-pay, else the fund. 'warn' and 'hospitalLoss' do not move a line.
 */
export function dispositionOf(findings: readonly { readonly severity: FindingSeverity }[]): Disposition {
  if (findings.some((f) => f.severity === 'refuse')) {
    return 'refused';
  }
  return findings.some((f) => f.severity === 'selfPay') ? 'selfPay' : 'fund';
}

import { FINDING_MESSAGES as M } from './finding-messages';
import { finding, yuan, type Finding } from './findings';
import { isCount, sumFen } from './money';
import type { HisTotals } from './pre-audit-input';
import type { LineAudit, PreAuditTotals } from './pre-audit-result';

/** The visit's totals by disposition, and HIS's declared totals checked against them. Pure. */

/** Sums of line amounts by disposition (a malformed amount counts 0: its line is refused anyway). */
export function totalsOf(lines: readonly LineAudit[]): PreAuditTotals {
  const amount = (l: LineAudit): number => (isCount(l.amountFen) ? l.amountFen : 0);
  const of = (keep: (l: LineAudit) => boolean): number => sumFen(lines.filter(keep).map(amount));
  return {
    lineSumFen: of(() => true),
    fundFen: of((l) => l.disposition === 'fund'),
    selfPayFen: of((l) => l.disposition === 'selfPay'),
    refusedFen: of((l) => l.disposition === 'refused'),
    hospitalLossFen: of((l) => l.disposition === 'selfPay' && l.findings.some((f) => f.severity === 'hospitalLoss')),
  };
}

function fenText(fen: number | null | undefined): string {
  return isCount(fen) ? yuan(fen) : String(fen);
}

/**
 * HIS_TOTAL_MISMATCH: HIS's total must equal the sum of its lines to the fen (compared only when
 * every line amount is well-formed; a malformed one already refuses its line). HIS_SPLIT_DIFFERS
 * (warn): HIS's own fund / self-pay split, when given and every line could be judged, differs from
 * the pre-audit's; the pre-audit's split is the one settled.
 */
export function hisTotalFindings(his: HisTotals, lines: readonly LineAudit[], totals: PreAuditTotals): Finding[] {
  if (!isCount(his.totalFen)) {
    return [
      finding(
        'VISIT_DATA_INVALID',
        null,
        M.visitDataInvalid(`HIS 费用总额 ${String(his.totalFen)} 须为非负整数（分）`),
      ),
    ];
  }
  const out: Finding[] = [];
  if (lines.every((l) => isCount(l.amountFen)) && his.totalFen !== totals.lineSumFen) {
    out.push(finding('HIS_TOTAL_MISMATCH', null, M.hisTotalMismatch(his.totalFen, totals.lineSumFen)));
  }
  const { fundFen, selfPayFen } = his;
  const given = fundFen !== undefined && fundFen !== null && selfPayFen !== undefined && selfPayFen !== null;
  const judged = lines.every((l) => l.disposition !== 'refused');
  if (given && judged && (fundFen !== totals.fundFen || selfPayFen !== totals.selfPayFen)) {
    out.push(
      finding(
        'HIS_SPLIT_DIFFERS',
        null,
        M.hisSplitDiffers(fenText(fundFen), fenText(selfPayFen), totals.fundFen, totals.selfPayFen),
      ),
    );
  }
  return out;
}

import { supplyFindings, traceCodeFindings } from './drug-rules';
import { FINDING_MESSAGES as M } from './finding-messages';
import { finding, yuan, type Finding } from './findings';
import { duplicateFinding, duplicateLineIds, integrityFindings } from './line-integrity-rules';
import { parseCount } from './money';
import {
  DEFAULT_PRE_AUDIT_POLICY,
  visitStartDate,
  type FeeLine,
  type PreAuditInput,
  type PreAuditPolicy,
} from './pre-audit-input';
import { dispositionOf, type LineAudit, type PreAuditResult, type PreAuditVerdict } from './pre-audit-result';
import { catalogueFindings, dischargeNoticeFindings, injuryFindings } from './scope-rules';
import { conversionLineFindings, conversionVisitFindings } from './conversion';
import { hisTotalFindings, totalsOf } from './totals';
import { visitFindings } from './visit-rules';

/**
 * The local pre-audit of a visit's fee lines, before anything is sent to the insurer (2207 / 2304).
 * Pure and deterministic: no clock, no I/O; the settlement service gathers the input and acts on the
 * answer. Every line gets one disposition (fund / selfPay / refused) with its findings; the visit
 * gets its own findings, the totals in integer fen and a verdict. docs/settlement-rules.md lists
 * every finding.
 */
export function preAudit(input: PreAuditInput, policy: PreAuditPolicy = DEFAULT_PRE_AUDIT_POLICY): PreAuditResult {
  const conversion = input.conversion ?? null;
  const visitLevel: Finding[] = visitFindings(input.visit, input.worker, conversion !== null);
  if (input.lines.length === 0) {
    visitLevel.push(finding('NO_FEE_LINES', null, M.noFeeLines()));
  }
  if (conversion !== null) {
    visitLevel.push(...conversionVisitFindings(input.visit, input.lines, conversion));
  }
  const duplicates = duplicateLineIds(input.lines);
  const lines = input.lines.map((line, index) => auditLine(line, index, input, duplicates, policy));
  const totals = totalsOf(lines);
  visitLevel.push(...hisTotalFindings(input.hisTotals, lines, totals));
  return { verdict: verdictOf(lines, visitLevel, totals), lines, visitFindings: visitLevel, totals };
}

/** One line through every line rule; rules that need sound data run only when the data is sound. */
export function auditLine(
  line: FeeLine,
  index: number,
  input: Pick<PreAuditInput, 'visit' | 'catalogue' | 'traceCodes' | 'signedConsentFormIds' | 'worker' | 'conversion'>,
  duplicates: ReadonlyMap<string, number>,
  policy: PreAuditPolicy,
): LineAudit {
  const findings: Finding[] = [
    ...duplicateFinding(line, duplicates),
    ...integrityFindings(line, visitStartDate(input.visit)),
  ];
  const sound = !findings.some((f) => f.code === 'LINE_DATA_INVALID');
  if (sound && input.conversion) {
    findings.push(...conversionLineFindings(line, input.worker));
  }
  findings.push(...injuryFindings(line));
  if (sound) {
    findings.push(...dischargeNoticeFindings(line, input.visit));
  }
  const catalogue = catalogueFindings(line, input.catalogue.get(line.hisItemCode), input.signedConsentFormIds);
  findings.push(...catalogue.findings);
  const count = parseCount(line.count);
  if (sound && count !== undefined) {
    findings.push(...traceCodeFindings(line, count, input.traceCodes.get(line.lineId), policy));
    findings.push(...supplyFindings(line, policy));
  }
  return {
    lineId: line.lineId,
    index,
    disposition: dispositionOf(findings),
    amountFen: line.amountFen,
    insurerCode: catalogue.insurerCode,
    findings,
  };
}

function verdictOf(
  lines: readonly LineAudit[],
  visitLevel: readonly Finding[],
  totals: PreAuditResult['totals'],
): PreAuditVerdict {
  const refusals =
    visitLevel.filter((f) => f.severity === 'refuse').length +
    lines.reduce((n, l) => n + l.findings.filter((f) => f.severity === 'refuse').length, 0);
  if (refusals > 0) {
    return { canSettle: false, message: `预审未通过：有 ${refusals} 项问题须先处理（见各项提示），处理后重新预审` };
  }
  const loss = totals.hospitalLossFen > 0 ? `，其中 ${yuan(totals.hospitalLossFen)} 未签自费确认、由医院承担` : '';
  return {
    canSettle: true,
    message: `预审通过，可以结算：基金支付 ${yuan(totals.fundFen)}，个人自费 ${yuan(totals.selfPayFen)}${loss}`,
  };
}

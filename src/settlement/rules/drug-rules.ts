import { FINDING_MESSAGES as M } from './finding-messages';
import { finding, type Finding } from './findings';
import { boxesForCount } from './money';
import type { FeeLine, PreAuditPolicy, TraceCodeTally } from './pre-audit-input';

/** Drug lines: trace codes for every box (R4) and the length of the supply (R16). Pure. */

/**
 * The codes a drug line needs: one per box it dispenses, ⌈count⌉ (a split package, 拆零, takes at
 * least that many boxes), and never fewer than the dispensing line itself expects (trace-codes
 * `needed`). A whole-box line has an integer count, so ⌈count⌉ is its quantity.
 */
export function codesNeeded(countThousandths: number, tally: TraceCodeTally | undefined): number {
  return Math.max(boxesForCount(countThousandths), tally?.boxesExpected ?? 0);
}

/**
 * TRACE_CODES_MISSING (办法 9: every box's code is collected): refuses the settlement, or only warns
 * when the policy says 'warn'. TRACE_CODES_EXCESS: more codes than ⌈count⌉, which the insurer
 * refuses (2207/2304 `drug_trac_codg`: at most ⌈cnt⌉). A drug line without a tally has no codes.
 */
export function traceCodeFindings(
  line: FeeLine,
  countThousandths: number,
  tally: TraceCodeTally | undefined,
  policy: Pick<PreAuditPolicy, 'missingTraceCodes'>,
): Finding[] {
  if (line.kind !== 'drug') {
    return [];
  }
  const captured = tally?.codesCaptured ?? 0;
  const needed = codesNeeded(countThousandths, tally);
  const most = boxesForCount(countThousandths);
  const out: Finding[] = [];
  if (captured < needed) {
    const warnOnly = policy.missingTraceCodes === 'warn';
    out.push(
      finding(
        'TRACE_CODES_MISSING',
        line.lineId,
        M.traceCodesMissing(line, captured, needed, warnOnly),
        warnOnly ? 'warn' : 'refuse',
      ),
    );
  }
  if (captured > most) {
    out.push(finding('TRACE_CODES_EXCESS', line.lineId, M.traceCodesExcess(line, captured, most)));
  }
  return out;
}

/**
 * 协议 15: a long supply (long-term outpatient use, travel outside the region) needs the worker's
 * statement and proof, kept by the hospital, and is at most 3 months. SUPPLY_OVER_MAX above
 * `maxDaysOfSupply` whatever the statement; SUPPLY_STATEMENT_MISSING above
 * `statementRequiredOverDays` without it.
 */
export function supplyFindings(
  line: FeeLine,
  policy: Pick<PreAuditPolicy, 'maxDaysOfSupply' | 'statementRequiredOverDays'>,
): Finding[] {
  const days = line.daysOfSupply;
  if (line.kind !== 'drug' || days === null) {
    return [];
  }
  if (days > policy.maxDaysOfSupply) {
    return [finding('SUPPLY_OVER_MAX', line.lineId, M.supplyOverMax(line, days, policy.maxDaysOfSupply))];
  }
  if (days > policy.statementRequiredOverDays && !line.supplyStatementPresent) {
    return [
      finding(
        'SUPPLY_STATEMENT_MISSING',
        line.lineId,
        M.supplyStatementMissing(line, days, policy.statementRequiredOverDays),
      ),
    ];
  }
  return [];
}

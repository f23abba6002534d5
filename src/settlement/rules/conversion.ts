import type { InsurerPersonAnswer } from '../../identity/rules/evidence';
import { FINDING_MESSAGES as M } from './finding-messages';
import { finding, type Finding, type FindingCode } from './findings';
import { isIsoDay } from './money';
import {
  visitStartDate,
  type ConversionFacts,
  type FeeLine,
  type PreAuditVisit,
  type WorkerFacts,
} from './pre-audit-input';

/**
 * 自费转工伤 (R10, 办法 26): a visit the worker (or the employer) paid as self-pay before the injury
 * determination, settled with the fund once the determination is made (`cvs_flag` "1" on 2207 /
 * 2304); the fund's part (`refd_amt`) is then refunded to whoever paid. Pure.
 *
 * Which visits convert: the determination must now be made; the visit (or admission) must lie on or
 * after the injury date and not after the determination date (later care is settled directly, as
 * the insurer requires); every line must be dated on or after the injury date; the receipts the
 * hospital recorded must add up to the visit's lines (the worker paid all of it).
 */

/** One receipt (收据 / 发票) of a self-paid visit. */
export interface ReceiptFacts {
  readonly receiptNo: string;
  /** Integer fen, > 0. */
  readonly amountFen: number;
  /** 'yyyy-MM-dd'. */
  readonly paidDate: string;
}

/** The receipts' total, integer fen. */
export function receiptsTotalFen(receipts: readonly Pick<ReceiptFacts, 'amountFen'>[]): number {
  return receipts.reduce((sum, r) => sum + r.amountFen, 0);
}

/** Indexes of receipts whose number was given before in the same list (the later ones). */
export function repeatedReceiptNos(receipts: readonly Pick<ReceiptFacts, 'receiptNo'>[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  receipts.forEach((r, i) => {
    const key = r.receiptNo.trim().toUpperCase();
    if (seen.has(key)) {
      out.push(i);
    }
    seen.add(key);
  });
  return out;
}

/** The receipts as a comparable text: the same set in any order is the same receipts. */
export function receiptsKey(receipts: readonly ReceiptFacts[]): string {
  return receipts
    .map((r) => `${r.receiptNo}\u0000${r.amountFen}\u0000${r.paidDate}`)
    .sort()
    .join('\u0001');
}

/**
 * Visit-level findings of a conversion: CONVERSION_AFTER_DETERMINATION (care after the
 * determination is settled directly, never converted) and CONVERSION_RECEIPTS_MISMATCH (the
 * receipts do not add up to the lines: what was paid is not what would be converted). The
 * determination status and VISIT_BEFORE_INJURY are the visit rules' (visit-rules.ts).
 */
export function conversionVisitFindings(
  visit: PreAuditVisit,
  lines: readonly Pick<FeeLine, 'amountFen'>[],
  facts: ConversionFacts,
): Finding[] {
  const out: Finding[] = [];
  const start = visitStartDate(visit);
  const determined = facts.determinationDate;
  if (determined !== null && isIsoDay(determined) && isIsoDay(start) && start > determined) {
    out.push(finding('CONVERSION_AFTER_DETERMINATION', null, M.conversionAfterDetermination(start, determined)));
  }
  const lineSum = lines.reduce((sum, l) => sum + l.amountFen, 0);
  if (lineSum !== facts.receiptsTotalFen) {
    out.push(
      finding('CONVERSION_RECEIPTS_MISMATCH', null, M.conversionReceiptsMismatch(facts.receiptsTotalFen, lineSum)),
    );
  }
  return out;
}

/** CONVERSION_LINE_BEFORE_INJURY: a line of a conversion dated before the injury does not treat it. */
export function conversionLineFindings(line: FeeLine, worker: WorkerFacts | null): Finding[] {
  const injury = worker?.injuryDate ?? null;
  if (injury === null || !isIsoDay(injury) || !isIsoDay(line.serviceDate) || line.serviceDate >= injury) {
    return [];
  }
  return [
    finding('CONVERSION_LINE_BEFORE_INJURY', line.lineId, M.conversionLineBeforeInjury(line, line.serviceDate, injury)),
  ];
}

/** What the insurer's 1101 answer says that decides conversions. */
export interface ConversionWorker {
  readonly injuryStatus: WorkerFacts['injuryStatus'];
  readonly injuryDate: string | null;
  readonly determinationDate: string | null;
  readonly determinationNo: string | null;
}

export function conversionWorkerOf(answer: Pick<InsurerPersonAnswer, 'injury'>): ConversionWorker {
  return {
    injuryStatus: answer.injury.status,
    injuryDate: answer.injury.injury_date,
    determinationDate: answer.injury.determination_date,
    determinationNo: answer.injury.determination_no,
  };
}

/**
 * Where a recorded self-paid visit stands: `convertible` now, `not-convertible` (with the reason),
 * `converting` (its conversion was sent, the outcome is not known yet) or `converted`.
 */
export type ConversionState = 'convertible' | 'not-convertible' | 'converting' | 'converted';

/** A self-paid visit as the listing judges it. */
export interface ConversionCandidate {
  readonly visit: PreAuditVisit;
  /** The visit's settlement lock: settling / settled mean a conversion was sent / made. */
  readonly state: 'open' | 'settling' | 'settled';
  /** Sum of the active lines, integer fen. */
  readonly lineSumFen: number;
  /** Sum of the receipts, integer fen. */
  readonly paidFen: number;
}

export interface ConversionJudgement {
  readonly state: ConversionState;
  /** Why it is not convertible (a finding code and its Chinese message); null otherwise. */
  readonly reason: { readonly code: FindingCode; readonly message: string } | null;
}

/**
 * The listing's judgement of one self-paid visit, by the same rules the conversion's pre-audit
 * applies at the visit level (the lines' own rules — catalogue, trace codes, dates — are judged when
 * it is converted). The first reason that applies is given.
 */
export function conversionJudgement(c: ConversionCandidate, w: ConversionWorker): ConversionJudgement {
  if (c.state === 'settled') {
    return { state: 'converted', reason: null };
  }
  if (c.state === 'settling') {
    return { state: 'converting', reason: null };
  }
  const refuse = (f: Finding): ConversionJudgement => ({
    state: 'not-convertible',
    reason: { code: f.code, message: f.message },
  });
  const worker: WorkerFacts = {
    injuryStatus: w.injuryStatus,
    injuryDate: w.injuryDate,
    signedInstitutionCodes: [],
    crossProvince: null,
  };
  const start = visitStartDate(c.visit);
  if (w.injuryStatus !== 'determined') {
    return refuse(
      w.injuryStatus === 'pending'
        ? finding('DETERMINATION_PENDING', null, M.conversionDeterminationPending())
        : finding('NO_DETERMINATION', null, M.conversionNoDetermination()),
    );
  }
  const injury = worker.injuryDate;
  if (injury !== null && isIsoDay(injury) && isIsoDay(start) && start < injury) {
    return refuse(finding('VISIT_BEFORE_INJURY', null, M.visitBeforeInjury(start, injury)));
  }
  const [other] = conversionVisitFindings(c.visit, [{ amountFen: c.lineSumFen }], {
    determinationDate: w.determinationDate,
    receiptsTotalFen: c.paidFen,
  });
  return other ? refuse(other) : { state: 'convertible', reason: null };
}

/** The desk's one-line summary of a person's self-paid visits. */
export function conversionSummary(w: ConversionWorker, judged: readonly ConversionJudgement[]): string {
  if (w.injuryStatus === 'pending') {
    return M.conversionDeterminationPending();
  }
  if (w.injuryStatus !== 'determined') {
    return M.conversionNoDetermination();
  }
  if (judged.length === 0) {
    return '该职工在本院没有登记认定前自费就诊：如有自费收据，请 HIS 先报送自费就诊及收据';
  }
  const count = (s: ConversionState) => judged.filter((j) => j.state === s).length;
  const parts = [`可办理自费转工伤 ${count('convertible')} 次`];
  if (count('not-convertible') > 0) {
    parts.push(`不能转 ${count('not-convertible')} 次（原因见各次就诊）`);
  }
  if (count('converting') > 0) {
    parts.push(`正在办理 ${count('converting')} 次`);
  }
  if (count('converted') > 0) {
    parts.push(`已转 ${count('converted')} 次`);
  }
  return `工伤认定已作出（认定日期 ${w.determinationDate ?? '—'}）：${parts.join('，')}`;
}

/** Whether a settlement message (its input) is a conversion: `cvs_flag` "1". */
export function isConversionInput(input: Readonly<Record<string, unknown>>): boolean {
  return input.cvs_flag === '1';
}

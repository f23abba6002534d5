import type { CatalogueMatch, FeeLine, FeeLineKind, PreAuditVisit, TraceCodeTally } from './pre-audit-input';

/**
 * What HIS sends about visits and fee lines, judged against what is stored: is it new, the same,
 * a correction? And the facts the pre-audit reads, from the other capabilities' answers. Pure.
 */

/** A visit as HIS opens it: the fields that identify it (open again = the same visit). */
export interface VisitOpening {
  readonly mdtrtId: string;
  readonly psnNo: string;
  readonly kind: 'outpatient' | 'inpatient';
  readonly careType: 'medical' | 'rehab' | 'device';
  readonly visitDate: string | null;
  readonly admissionDate: string | null;
  readonly ward: string | null;
  readonly dept: string | null;
  readonly diagnosisCode: string | null;
  readonly diagnosisName: string | null;
}

const OPENING_FIELDS = [
  'psnNo',
  'kind',
  'careType',
  'visitDate',
  'admissionDate',
  'ward',
  'dept',
  'diagnosisCode',
  'diagnosisName',
] as const;

/** The fields in which an opening differs from the stored visit (empty: the same opening again). */
export function openingDifferences(stored: VisitOpening, incoming: VisitOpening): string[] {
  return OPENING_FIELDS.filter((f) => stored[f] !== incoming[f]);
}

/** The discharge facts of an inpatient stay. */
export interface DischargeFacts {
  readonly admissionDate: string | null;
  readonly dischargeDate: string | null;
  readonly dischargeNoticeDate: string | null;
}

/** Discharge fields dated before the admission: the field and the date, in field order. */
export function dischargeBeforeAdmission(v: DischargeFacts): Array<{ field: string; date: string }> {
  const admission = v.admissionDate;
  if (admission === null) {
    return [];
  }
  const out: Array<{ field: string; date: string }> = [];
  if (v.dischargeDate !== null && v.dischargeDate < admission) {
    out.push({ field: 'dischargeDate', date: v.dischargeDate });
  }
  if (v.dischargeNoticeDate !== null && v.dischargeNoticeDate < admission) {
    out.push({ field: 'dischargeNoticeDate', date: v.dischargeNoticeDate });
  }
  return out;
}

/** A fee line's content as HIS declares it (FeeLine of the pre-audit). */
export type FeeLineContent = FeeLine;

const CONTENT_FIELDS = [
  'hisItemCode',
  'itemName',
  'kind',
  'count',
  'unitPriceFen',
  'amountFen',
  'serviceDate',
  'injuryRelated',
  'daysOfSupply',
  'supplyStatementPresent',
  'selfPayConsentFormId',
] as const satisfies readonly (keyof FeeLineContent)[];

/**
 * What a declared line does to the stored one: `added` (new line id), `unchanged` (same content,
 * still active), `corrected` (different content), `reinstated` (a withdrawn line declared again).
 * Counts compare as written ('1.50' and '1.5' differ: HIS sends one spelling of its own value).
 */
export type LineChange = 'added' | 'unchanged' | 'corrected' | 'reinstated';

export function lineChange(
  stored: (FeeLineContent & { readonly state: 'active' | 'withdrawn' }) | undefined,
  incoming: FeeLineContent,
): LineChange {
  if (stored === undefined) {
    return 'added';
  }
  if (stored.state === 'withdrawn') {
    return 'reinstated';
  }
  return CONTENT_FIELDS.every((f) => stored[f] === incoming[f]) ? 'unchanged' : 'corrected';
}

/** Indexes of lines whose line id an earlier line of the same batch already used. */
export function repeatedLineIds(lines: readonly { readonly lineId: string }[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  lines.forEach((l, i) => {
    if (seen.has(l.lineId)) {
      out.push(i);
    }
    seen.add(l.lineId);
  });
  return out;
}

/** The pre-audit's view of a stored visit. */
export function preAuditVisitOf(
  v: DischargeFacts & { readonly kind: 'outpatient' | 'inpatient'; readonly visitDate: string | null },
  hospitalCode: string,
): PreAuditVisit {
  return v.kind === 'outpatient'
    ? { kind: 'outpatient', visitDate: v.visitDate ?? '', hospitalCode }
    : {
        kind: 'inpatient',
        admissionDate: v.admissionDate ?? '',
        dischargeNoticeDate: v.dischargeNoticeDate,
        hospitalCode,
      };
}

/**
 * The catalogue match of a HIS item from the current mapping version: no row → unmapped (IT must
 * add it to the mapping file); a row without an insurer code → unmapped (the import's
 * CATALOGUE_ROW_UNMAPPED); a row with a code → mapped, valid between its valid from / valid to (a
 * line dated outside them is outside the catalogue on that day, judged by the pre-audit).
 */
export function catalogueMatchOf(
  item: { medListCode: string | null; validFrom: string | null; validTo: string | null } | undefined,
): CatalogueMatch {
  if (item === undefined || item.medListCode === null) {
    return { kind: 'unmapped' };
  }
  return { kind: 'mapped', insurerCode: item.medListCode, validFrom: item.validFrom, validTo: item.validTo };
}

/**
 * The trace-code tallies of a visit's drug lines, from the trace codes' completeness lines (keyed
 * by line number = the HIS fee line id). Lines of other kinds are left out.
 */
export function traceTallies(
  lines: readonly { readonly lineId: string; readonly kind: FeeLineKind }[],
  progress: readonly { readonly lineNo: string; readonly needed: number; readonly held: number }[],
): Map<string, TraceCodeTally> {
  const drugs = new Set(lines.filter((l) => l.kind === 'drug').map((l) => l.lineId));
  return new Map(
    progress
      .filter((p) => drugs.has(p.lineNo))
      .map((p) => [p.lineNo, { boxesExpected: p.needed, codesCaptured: p.held }]),
  );
}

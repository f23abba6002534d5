import type { ErrorDetail } from '../platform';
import type { CatalogueChanges } from './rules/catalogue-diff';
import type { CatalogueProblem, JudgedCatalogue } from './rules/catalogue-rows';
import { catalogueProblemText, MAX_PROBLEMS_LISTED, SETTLEMENT_ERRORS } from './settlement.errors';
import { isConversionInput } from './rules/conversion';
import type { Finding } from './rules/findings';
import type { FeeLine } from './rules/pre-audit-input';
import type { PreAuditResult } from './rules/pre-audit-result';
import type { SettlementMessage } from './rules/settlement-message';
import type { InsurerSplit } from './rules/settlement-reply';
import { cancelRequestState } from './rules/settlement-review';
import type {
  CatalogueItemRow,
  CatalogueVersion,
  SettlementFeeLine,
  SettlementRecord,
  SettlementVisit,
} from './settlement.entity';
import type {
  CatalogueChangesDto,
  CatalogueImportReportDto,
  CatalogueItemDto,
  CatalogueProblemDto,
  CatalogueVersionDto,
} from './catalogue.dto';
import type { InsurerSplitDto, ProvisionalSplitDto, SettlementDto } from './settlement.dto';
import { differenceMessage, type ProvisionalSplit } from './rules/provisional-settlement';
import type { SettlementDifferenceRow } from './settlement-difference.entity';
import type { SettlementDifferenceDto } from './differences.dto';
import type {
  FeeLineDto,
  FeeLineInputDto,
  FindingDto,
  PersonCheckDto,
  PreAuditDto,
  VisitDetailDto,
  VisitDto,
} from './visits.dto';

/** Entities and judgements → the response DTOs, once for the capability. */

export function toVersionDto(v: CatalogueVersion, currentId: string | null): CatalogueVersionDto {
  return {
    id: v.id,
    seq: v.seq,
    importedAt: new Date(v.importedAt).toISOString(),
    importedBy: v.importedBy,
    sourceName: v.sourceName,
    sourceSha256: v.sourceSha256,
    sourceEncoding: v.sourceEncoding,
    rowCount: v.rowCount,
    itemCount: v.itemCount,
    mappedCount: v.mappedCount,
    note: v.note,
    current: v.id === currentId,
  };
}

export function toItemDto(
  item: CatalogueItemRow,
  version: Pick<CatalogueVersion, 'seq' | 'importedAt'>,
): CatalogueItemDto {
  return {
    hisCode: item.hisCode,
    hisName: item.hisName,
    kind: item.kind,
    medListCode: item.medListCode,
    insurerName: item.insurerName,
    validFrom: item.validFrom,
    validTo: item.validTo,
    versionId: item.versionId,
    versionSeq: version.seq,
    versionImportedAt: new Date(version.importedAt).toISOString(),
  };
}

export function toProblemDto(p: CatalogueProblem): CatalogueProblemDto {
  const text = catalogueProblemText(p);
  return {
    row: p.row,
    code: p.code,
    severity: p.severity,
    hisCode: p.hisCode ?? null,
    value: p.value || null,
    firstRow: p.firstRow ?? null,
    message: text.zh,
    messageEn: text.en,
  };
}

/** A row error as a `details[]` entry of CATALOGUE_IMPORT_INVALID: Chinese message, English in context.en. */
export function toProblemDetail(p: CatalogueProblem): ErrorDetail {
  const text = catalogueProblemText(p);
  const context: Record<string, string> = { row: String(p.row), en: text.en };
  if (p.hisCode) {
    context.hisCode = p.hisCode;
  }
  if (p.firstRow !== undefined) {
    context.firstRow = String(p.firstRow);
  }
  return SETTLEMENT_ERRORS.detail(p.code, { field: `row ${p.row}`, message: text.zh, context });
}

export function toChangesDto(changes: CatalogueChanges, previous: CatalogueVersion | null): CatalogueChangesDto {
  return {
    previousVersionId: previous?.id ?? null,
    previousSeq: previous?.seq ?? null,
    added: changes.added,
    removed: changes.removed,
    retargeted: changes.retargeted.map((r) => ({ ...r })),
    unchanged: changes.unchanged,
  };
}

export interface ReportFacts {
  outcome: CatalogueImportReportDto['outcome'];
  file: { name: string; sha256: string; bytes: number };
  judged: JudgedCatalogue;
  changes: CatalogueChanges;
  previous: CatalogueVersion | null;
  version: CatalogueVersionDto | null;
}

export function toImportReport(facts: ReportFacts): CatalogueImportReportDto {
  const { judged } = facts;
  const errors = judged.problems.filter((p) => p.severity === 'error').length;
  return {
    outcome: facts.outcome,
    accepted: errors === 0,
    file: {
      ...facts.file,
      encoding: judged.encoding,
      delimiter: judged.delimiter === 'sheet' ? 'sheet' : judged.delimiter === '\t' ? 'tab' : 'comma',
      ignoredColumns: judged.ignoredColumns,
    },
    counts: { ...judged.counts, errors, warnings: judged.problems.length - errors },
    problems: judged.problems.slice(0, MAX_PROBLEMS_LISTED).map(toProblemDto),
    problemsOmitted: Math.max(0, judged.problems.length - MAX_PROBLEMS_LISTED),
    changes: toChangesDto(facts.changes, facts.previous),
    version: facts.version,
  };
}

export function toVisitDto(v: SettlementVisit): VisitDto {
  return {
    id: v.id,
    visitId: v.mdtrtId,
    psnNo: v.psnNo,
    kind: v.kind,
    careType: v.careType,
    visitDate: v.visitDate,
    admissionDate: v.admissionDate,
    ward: v.ward,
    dept: v.dept,
    diagnosisCode: v.diagnosisCode,
    diagnosisName: v.diagnosisName,
    dischargeDate: v.dischargeDate,
    dischargeNoticeDate: v.dischargeNoticeDate,
    state: v.state,
    createdAt: new Date(v.createdAt).toISOString(),
    updatedAt: new Date(v.updatedAt).toISOString(),
  };
}

export function toFeeLineDto(l: SettlementFeeLine): FeeLineDto {
  return { ...toPreAuditLine(l), state: l.state, revision: l.revision, updatedAt: new Date(l.updatedAt).toISOString() };
}

export function toVisitDetailDto(v: SettlementVisit, lines: readonly SettlementFeeLine[]): VisitDetailDto {
  const active = lines.filter((l) => l.state === 'active');
  return {
    ...toVisitDto(v),
    lines: lines.map(toFeeLineDto),
    activeLines: active.length,
    activeAmountFen: active.reduce((sum, l) => sum + l.amountFen, 0),
  };
}

/** A line's content as the pre-audit reads it: a stored line, or a declared one with its defaults filled in. */
export function toPreAuditLine(l: SettlementFeeLine | FeeLineInputDto): FeeLine {
  return {
    lineId: l.lineId,
    hisItemCode: l.hisItemCode,
    itemName: l.itemName,
    kind: l.kind,
    count: l.count,
    unitPriceFen: l.unitPriceFen,
    amountFen: l.amountFen,
    serviceDate: l.serviceDate,
    injuryRelated: l.injuryRelated,
    daysOfSupply: l.daysOfSupply ?? null,
    supplyStatementPresent: l.supplyStatementPresent ?? false,
    selfPayConsentFormId: l.selfPayConsentFormId ?? null,
  };
}

function toFindingDto(f: Finding): FindingDto {
  return { code: f.code, severity: f.severity, lineId: f.lineId, message: f.message };
}

export interface PreAuditFacts {
  visitId: string;
  result: PreAuditResult;
  personCheck: PersonCheckDto;
  catalogueVersionSeq: number | null;
  missingTraceCodes: 'refuse' | 'warn';
}

export function toPreAuditDto(facts: PreAuditFacts): PreAuditDto {
  const { result } = facts;
  return {
    visitId: facts.visitId,
    verdict: { ...result.verdict },
    personCheck: facts.personCheck,
    totals: { ...result.totals },
    lines: result.lines.map((l) => ({
      lineId: l.lineId,
      disposition: l.disposition,
      amountFen: l.amountFen,
      insurerCode: l.insurerCode,
      findings: l.findings.map(toFindingDto),
    })),
    findings: [...result.visitFindings, ...result.lines.flatMap((l) => l.findings)].map(toFindingDto),
    catalogueVersionSeq: facts.catalogueVersionSeq,
    missingTraceCodes: facts.missingTraceCodes,
  };
}

/** A settlement record as the API answers it. */
export function toSettlementDto(r: SettlementRecord): SettlementDto {
  const message = JSON.parse(r.message) as SettlementMessage;
  const preAudit = JSON.parse(r.preAudit) as PreAuditResult;
  const split = r.split === null ? null : (JSON.parse(r.split) as InsurerSplit);
  return {
    id: r.id,
    visitId: r.mdtrtId,
    psnNo: r.psnNo,
    kind: r.kind,
    infno: r.infno,
    msgid: r.msgid,
    idempotencyKey: r.idempotencyKey,
    status: r.status,
    sentLineIds: [...message.sentLineIds],
    localSelfPay: message.localSelfPay.map((l) => ({ ...l })),
    preAuditTotals: { ...preAudit.totals },
    setlId: r.setlId,
    split: split === null ? null : toSplitDto(split),
    deskCollectsFen: r.deskCollectsFen,
    conversion: isConversionInput(message.input),
    refundFen: split?.refundFen ?? null,
    problem: r.problem,
    settledAt: r.settledAt?.toISOString() ?? null,
    cancelReason: r.cancelReason,
    cancelledAt: r.cancelledAt?.toISOString() ?? null,
    cancelRequested:
      r.cancelRequestedAt === null
        ? null
        : { at: r.cancelRequestedAt.toISOString(), state: cancelRequestState(r.status) },
    desk: r.desk,
    provisional: r.provisionalSplit !== null,
    provisionalSplit: r.provisionalSplit === null ? null : toProvisionalSplitDto(r.provisionalSplit),
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  };
}

export function toSplitDto(s: InsurerSplit): InsurerSplitDto {
  return {
    setlId: s.setlId,
    setlTime: s.setlTime,
    totalFen: s.totalFen,
    fundFen: s.fundFen,
    selfPayFen: s.selfPayFen,
    lines: s.lines.map((l) => ({ ...l })),
    refundFen: s.refundFen,
  };
}

function toProvisionalSplitDto(json: string): ProvisionalSplitDto {
  const s = JSON.parse(json) as ProvisionalSplit;
  return {
    totalFen: s.totalFen,
    fundFen: s.fundFen,
    selfPayFen: s.selfPayFen,
    deskCollectsFen: s.deskCollectsFen,
    lines: s.lines.map((l) => ({ ...l })),
  };
}

export function toDifferenceDto(d: SettlementDifferenceRow): SettlementDifferenceDto {
  return {
    id: d.id,
    settlementId: d.settlementId,
    visitId: d.mdtrtId,
    cause: d.cause,
    provisionalFen: d.provisionalFen,
    finalFen: d.finalFen,
    differenceFen: d.differenceFen,
    direction: d.direction,
    state: d.state,
    desk: d.desk,
    message: differenceMessage(d),
    createdAt: d.createdAt.toISOString(),
    resolvedBy: d.resolvedBy,
    resolvedAt: d.resolvedAt?.toISOString() ?? null,
    resolutionNote: d.resolutionNote,
  };
}

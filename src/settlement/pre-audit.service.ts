import { Injectable } from '@nestjs/common';
import { FormReadingService } from '../forms/form-reading.service';
import { VerifiedWorkerService } from '../identity/verified-worker.service';
import { AuditService, DomainError, GatewayConfig, type Principal, Transactions } from '../platform';
import { SettlementCodesService } from '../trace-codes/settlement-codes.service';
import { CatalogueMappingService } from './catalogue-mapping.service';
import { FeeLineRepository } from './fee-line.repository';
import { preAudit } from './rules/pre-audit';
import type { EntityManager } from 'typeorm';
import type {
  CatalogueMatch,
  ConversionFacts,
  FeeLine,
  PreAuditPolicy,
  TraceCodeTally,
  WorkerFacts,
} from './rules/pre-audit-input';
import type { Finding } from './rules/findings';
import type { PreAuditResult } from './rules/pre-audit-result';
import { catalogueMatchOf, preAuditVisitOf, traceTallies } from './rules/visit-changes';
import { workerFactsFromInsurer } from './rules/worker-facts';
import type { PersonCheckDto, PreAuditDto, PreAuditRequestDto } from './visits.dto';
import type { SettlementFeeLine, SettlementVisit } from './settlement.entity';
import { SETTLEMENT_ERRORS } from './settlement.errors';
import { toPreAuditDto, toPreAuditLine } from './settlement.mapper';
import { VisitRepository } from './visit.repository';
import { notFound } from './visits.service';

/** What evaluate answers: the lines judged (active, in HIS order), the result and the policy applied. */
export interface VisitAudit {
  lines: FeeLine[];
  result: PreAuditResult;
  policy: PreAuditPolicy;
}

/** Every finding of a result: the visit's, then each line's. */
export function allFindings(result: PreAuditResult): Finding[] {
  return [...result.visitFindings, ...result.lines.flatMap((l) => l.findings)];
}

/** The forms kind of the signed 自费项目告知确认书. */
const CONSENT_KIND = 'self-pay-consent';
/** Forms read per page when collecting a visit's signed consents. */
const FORMS_PAGE = 200;

/**
 * Use case: the local pre-audit of a visit (POST …/visits/{id}/pre-audit). Gathers what the pure
 * preAudit reads — the visit's active lines, the current catalogue mapping, the trace codes per
 * drug line, the visit's signed self-pay consents, the worker's facts from the insurer behind a
 * MATCH token (when one is given) and the policy from `settlement:` config — runs it and answers
 * every finding, the totals and the verdict. It stores nothing; one audit entry records the run.
 */
@Injectable()
export class PreAuditService {
  constructor(
    private readonly transactions: Transactions,
    private readonly config: GatewayConfig,
    private readonly audit: AuditService,
    private readonly visits: VisitRepository,
    private readonly lines: FeeLineRepository,
    private readonly mapping: CatalogueMappingService,
    private readonly traceCodes: SettlementCodesService,
    private readonly forms: FormReadingService,
    private readonly workers: VerifiedWorkerService,
  ) {}

  async run(
    principal: Principal,
    mdtrtId: string,
    token: string | undefined,
    his: PreAuditRequestDto = {},
  ): Promise<PreAuditDto> {
    const visit = await this.visits.byMdtrtId(this.transactions.reader, mdtrtId);
    if (!visit) {
      throw notFound(mdtrtId);
    }
    const { worker, personCheck } = await this.workerFacts(visit, token, principal);
    const { lines, result, policy } = await this.evaluate(visit, worker, his);
    await this.audit.record({
      actor: principal,
      action: 'settlement.pre-audit',
      outcome: 'success',
      details: {
        visitId: mdtrtId,
        canSettle: result.verdict.canSettle,
        personChecked: personCheck.done,
        lines: lines.length,
        findings: allFindings(result).map((f) => f.code),
        totals: result.totals,
      },
    });
    return toPreAuditDto({
      visitId: mdtrtId,
      result,
      personCheck,
      catalogueVersionSeq: await this.catalogueVersionSeq(),
      missingTraceCodes: policy.missingTraceCodes,
    });
  }

  /**
   * The pure preAudit over the visit's active lines with everything it reads gathered; no audit
   * entry (the caller records its own). `worker`: the verified worker's facts, or null (not checked).
   * `conversion`: a 自费转工伤's facts (the conversion rules run too), or null.
   */
  async evaluate(
    visit: SettlementVisit,
    worker: WorkerFacts | null,
    his: PreAuditRequestDto = {},
    m: EntityManager = this.transactions.reader,
    conversion: ConversionFacts | null = null,
  ): Promise<VisitAudit> {
    const active = (await this.lines.ofVisit(m, visit.id)).filter((l) => l.state === 'active');
    const lines = active.map(toPreAuditLine);
    const lineSum = lines.reduce((sum, l) => sum + l.amountFen, 0);
    const policy = this.policy();
    const result = preAudit(
      {
        visit: preAuditVisitOf(visit, this.config.hospital.fixmedinsCode),
        worker,
        lines,
        catalogue: await this.catalogue(active),
        traceCodes: await this.tallies(visit.mdtrtId, active),
        signedConsentFormIds: await this.signedConsents(visit.mdtrtId),
        hisTotals: { totalFen: his.hisTotalFen ?? lineSum, fundFen: his.hisFundFen, selfPayFen: his.hisSelfPayFen },
        conversion,
      },
      policy,
    );
    return { lines, result, policy };
  }

  /**
   * The worker's facts behind the MATCH token, which must be for this visit and this person; with
   * no token, none (the pre-audit reports the person checks as not done). A token that fails its
   * check refuses the request (identity's TOKEN_* codes): a bad token is never taken for none.
   */
  private async workerFacts(
    visit: SettlementVisit,
    token: string | undefined,
    principal: Principal,
  ): Promise<{ worker: WorkerFacts | null; personCheck: PersonCheckDto }> {
    if (token === undefined || token.trim() === '') {
      return { worker: null, personCheck: { done: false, source: null } };
    }
    const verified = await this.workers.workerForSettlement(token.trim(), visit.mdtrtId, principal);
    if (verified.psnNo !== visit.psnNo) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_PERSON_MISMATCH');
    }
    return { worker: workerFactsFromInsurer(verified.answer), personCheck: { done: true, source: verified.source } };
  }

  private policy(): PreAuditPolicy {
    const { missingTraceCodes, maxDaysOfSupply, statementRequiredOverDays } = this.config.settlement;
    return { missingTraceCodes, maxDaysOfSupply, statementRequiredOverDays };
  }

  /** HIS item code → its match in the current mapping version (no row: unmapped). */
  private async catalogue(lines: readonly SettlementFeeLine[]): Promise<Map<string, CatalogueMatch>> {
    const codes = [...new Set(lines.map((l) => l.hisItemCode))];
    const items = await this.mapping.currentMapping(codes);
    return new Map(codes.map((c) => [c, catalogueMatchOf(items.get(c))]));
  }

  /**
   * Trace codes per drug line: trace codes key a dispensing line by the HIS visit id and line
   * number, which are this visit's id and the fee line's HIS line id. A visit whose pharmacy
   * declared no dispensing line has no codes at all (every drug line is then missing them).
   */
  private async tallies(mdtrtId: string, lines: readonly SettlementFeeLine[]): Promise<Map<string, TraceCodeTally>> {
    if (!lines.some((l) => l.kind === 'drug')) {
      return new Map();
    }
    try {
      return traceTallies(lines, (await this.traceCodes.completeness(mdtrtId)).lines);
    } catch (e) {
      if (e instanceof DomainError && e.code === 'TRACE_VISIT_NOT_FOUND') {
        return new Map();
      }
      throw e;
    }
  }

  /** Ids and form numbers of the visit's signed self-pay consent forms (any version that was signed). */
  private async signedConsents(mdtrtId: string): Promise<Set<string>> {
    const out = new Set<string>();
    let before: string | undefined;
    for (;;) {
      const page = await this.forms.list({ visitId: mdtrtId, before, limit: FORMS_PAGE });
      for (const f of page) {
        if (f.kind === CONSENT_KIND && f.signedAt !== null) {
          out.add(f.id);
          out.add(f.formNo);
        }
      }
      if (page.length < FORMS_PAGE) {
        return out;
      }
      before = page[page.length - 1].id;
    }
  }

  private async catalogueVersionSeq(): Promise<number | null> {
    const [newest] = await this.mapping.listVersions(1);
    return newest?.current ? newest.seq : null;
  }
}

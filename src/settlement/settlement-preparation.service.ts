import { Injectable } from '@nestjs/common';
import { IDENTITY_ERRORS } from '../identity/identity.errors';
import { type SettlementWorker, VerifiedWorkerService } from '../identity/verified-worker.service';
import { DomainError, type ErrorDetail, type Principal, Transactions } from '../platform';
import { SettlementCodesService } from '../trace-codes/settlement-codes.service';
import { ConversionPreparationService } from './conversion-preparation.service';
import { allFindings, PreAuditService, type VisitAudit } from './pre-audit.service';
import type { Finding } from './rules/findings';
import { type SettlementFacts, type SettlementMessage, settlementMessage } from './rules/settlement-message';
import { workerFactsFromInsurer } from './rules/worker-facts';
import type { SettlementVisit } from './settlement.entity';
import { SETTLE_MESSAGES, SETTLEMENT_ERRORS } from './settlement.errors';
import { VisitRepository } from './visit.repository';
import { notFound } from './visits.service';

/** A visit ready to settle: the verified worker, the pre-audit that allows it and the message. */
export interface PreparedSettlement {
  visit: SettlementVisit;
  worker: SettlementWorker;
  audit: VisitAudit;
  message: SettlementMessage;
  /** 自费转工伤: a self-paid visit settled with `cvs_flag` "1". */
  conversion: boolean;
}

/**
 * What the trial and the settlement share: the visit, the MATCH token checked for this visit and
 * person before anything else (identity's TOKEN_* codes, 403), the pre-audit (refused: 422 with every
 * refusing finding in details) and the settlement message built from it with each drug line's codes.
 */
@Injectable()
export class SettlementPreparationService {
  constructor(
    private readonly transactions: Transactions,
    private readonly visits: VisitRepository,
    private readonly workers: VerifiedWorkerService,
    private readonly preAudits: PreAuditService,
    private readonly traceCodes: SettlementCodesService,
    private readonly conversions: ConversionPreparationService,
  ) {}

  /**
   * The visit (404 when unknown) and the worker behind the token, which must be this visit's person.
   * A self-paid visit settles only as a conversion (`conversion`), whose worker is checked by
   * ConversionPreparationService.
   */
  async verified(
    principal: Principal,
    mdtrtId: string,
    token: string | undefined,
    conversion = false,
  ): Promise<{ visit: SettlementVisit; worker: SettlementWorker }> {
    const trimmed = token?.trim() ?? '';
    if (trimmed === '') {
      throw IDENTITY_ERRORS.raise('TOKEN_MISSING');
    }
    const visit = await this.visits.byMdtrtId(this.transactions.reader, mdtrtId);
    if (!visit) {
      throw notFound(mdtrtId);
    }
    if (conversion) {
      return this.conversions.verified(principal, visit, trimmed);
    }
    await this.conversions.refuseSelfPaid(visit);
    const worker = await this.workers.workerForSettlement(trimmed, visit.mdtrtId, principal);
    if (worker.psnNo !== visit.psnNo) {
      throw IDENTITY_ERRORS.raise('TOKEN_WRONG_PERSON');
    }
    return { visit, worker };
  }

  /**
   * Pre-audit and message for a verified visit; refuses a visit the pre-audit refuses. A conversion
   * runs the conversion rules too and marks the message `cvs_flag` "1".
   */
  async prepare(visit: SettlementVisit, worker: SettlementWorker, conversion = false): Promise<PreparedSettlement> {
    const facts = factsOf(visit, worker, conversion);
    const conversionFacts = conversion ? await this.conversions.facts(visit, worker) : null;
    const audit = await this.preAudits.evaluate(
      visit,
      workerFactsFromInsurer(worker.answer),
      {},
      undefined,
      conversionFacts,
    );
    if (!audit.result.verdict.canSettle) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_PRE_AUDIT_REFUSED', {
        message: `${audit.result.verdict.message}`,
        details: allFindings(audit.result)
          .filter((f) => f.severity === 'refuse')
          .map(findingDetail),
      });
    }
    const message = settlementMessage(facts, audit.lines, audit.result, await this.codes(visit.mdtrtId));
    return { visit, worker, audit, message, conversion };
  }

  /** Each drug line's trace codes (feedetl_sn = the HIS line id); none when the pharmacy declared nothing. */
  private async codes(mdtrtId: string): Promise<Map<string, string[]>> {
    try {
      return new Map((await this.traceCodes.feeLines(mdtrtId)).map((l) => [l.feedetl_sn, l.drug_trac_codg]));
    } catch (e) {
      if (e instanceof DomainError && e.code === 'TRACE_VISIT_NOT_FOUND') {
        return new Map();
      }
      throw e;
    }
  }
}

/** A finding as an error detail: the line it is about as the field. */
export function findingDetail(f: Finding): ErrorDetail {
  return { field: f.lineId === null ? 'visit' : `lines.${f.lineId}`, code: f.code, message: f.message };
}

function factsOf(visit: SettlementVisit, worker: SettlementWorker, conversion: boolean): SettlementFacts {
  const missing: string[] = [];
  if (!visit.diagnosisCode || !visit.diagnosisName) {
    missing.push('诊断编码和诊断名称');
  }
  if (visit.kind === 'inpatient' && (!visit.admissionDate || !visit.dischargeDate)) {
    missing.push('入院日期和出院日期');
  }
  if (visit.kind === 'outpatient' && !visit.visitDate) {
    missing.push('就诊日期');
  }
  if (missing.length > 0) {
    throw SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_INCOMPLETE', {
      message: SETTLE_MESSAGES.incomplete(visit.mdtrtId, missing.join('、')),
    });
  }
  return {
    psnNo: visit.psnNo,
    mdtrtId: visit.mdtrtId,
    cardSn: worker.answer.card?.card_sn ?? null,
    diagnosisCode: visit.diagnosisCode as string,
    diagnosisName: visit.diagnosisName as string,
    visit:
      visit.kind === 'outpatient'
        ? { kind: 'outpatient', begntime: `${visit.visitDate as string} 00:00:00` }
        : { kind: 'inpatient', admDate: visit.admissionDate as string, dscgDate: visit.dischargeDate as string },
    conversion,
  };
}

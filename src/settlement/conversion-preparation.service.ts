import { Injectable } from '@nestjs/common';
import { type SettlementWorker, VerifiedWorkerService } from '../identity/verified-worker.service';
import { AuditService, Clock, type Principal, Transactions } from '../platform';
import { receiptsTotalFen } from './rules/conversion';
import type { ConversionFacts } from './rules/pre-audit-input';
import { SelfPaidRepository } from './self-paid.repository';
import type { SettlementVisit } from './settlement.entity';
import { CONVERSION_MESSAGES, SETTLEMENT_ERRORS } from './settlement.errors';
import { VisitRepository } from './visit.repository';
import { notFound } from './visits.service';

/**
 * What the settle path needs to know about 自费转工伤: whether a visit was recorded as self-paid
 * (then it settles only as a conversion), the worker behind the MATCH for a conversion (the person
 * the visit was recorded for, by the keyed hash of the ID number; the MATCH may be of any visit of
 * theirs, typically today's), the person number attached to a visit recorded without one, and the
 * facts the conversion's pre-audit reads (determination date, receipts' total).
 */
@Injectable()
export class ConversionPreparationService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly workers: VerifiedWorkerService,
    private readonly visits: VisitRepository,
    private readonly selfPaid: SelfPaidRepository,
  ) {}

  /** Refuses (409 SETTLEMENT_VISIT_SELF_PAID) a normal settlement or trial of a self-paid visit. */
  async refuseSelfPaid(visit: SettlementVisit): Promise<void> {
    if (await this.selfPaid.byVisit(this.transactions.reader, visit.id)) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_VISIT_SELF_PAID', {
        message: CONVERSION_MESSAGES.selfPaid(visit.mdtrtId),
      });
    }
  }

  /**
   * The worker for converting `visit`: a self-paid visit (409 SETTLEMENT_NOT_SELF_PAID otherwise)
   * whose recorded person is the token's (403 TOKEN_WRONG_PERSON otherwise). A visit recorded
   * without a person number gets the one of the insurer's answer, audited.
   */
  async verified(
    principal: Principal,
    visit: SettlementVisit,
    token: string,
  ): Promise<{ visit: SettlementVisit; worker: SettlementWorker }> {
    const row = await this.selfPaid.byVisit(this.transactions.reader, visit.id);
    if (!row) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_NOT_SELF_PAID', {
        message: CONVERSION_MESSAGES.notSelfPaid(visit.mdtrtId),
      });
    }
    const worker = await this.workers.workerForConversion(token, principal, row.personKey);
    if (visit.psnNo !== '' && visit.psnNo !== worker.psnNo) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_PERSON_MISMATCH');
    }
    if (visit.psnNo !== '') {
      return { visit, worker };
    }
    await this.transactions.run(async (m) => {
      if (await this.selfPaid.attachPersonNo(m, visit.id, worker.psnNo, this.clock.now())) {
        await this.audit.record(
          {
            actor: principal,
            action: 'settlement.visit.person',
            outcome: 'success',
            details: { visitId: visit.mdtrtId, psnNo: worker.psnNo, from: 'conversion' },
          },
          m,
        );
      }
    });
    const now = await this.visits.byMdtrtId(this.transactions.reader, visit.mdtrtId);
    if (!now) {
      throw notFound(visit.mdtrtId);
    }
    if (now.psnNo !== worker.psnNo) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_PERSON_MISMATCH');
    }
    return { visit: now, worker };
  }

  /** The conversion's pre-audit facts: the determination date (1101) and the receipts' total. */
  async facts(visit: SettlementVisit, worker: SettlementWorker): Promise<ConversionFacts> {
    const receipts = await this.selfPaid.receipts(this.transactions.reader, visit.id);
    return {
      determinationDate: worker.answer.injury.determination_date,
      receiptsTotalFen: receiptsTotalFen(receipts),
    };
  }
}

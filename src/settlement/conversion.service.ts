import { Injectable } from '@nestjs/common';
import { personKeys, personSubject } from '../identity/person-key';
import { VerifiedWorkerService } from '../identity/verified-worker.service';
import { AuditService, GatewayConfig, PiiCryptoService, type Principal, Transactions } from '../platform';
import type { ConversionCandidateDto, ConversionListDto } from './conversion.dto';
import { FeeLineRepository } from './fee-line.repository';
import {
  conversionJudgement,
  type ConversionJudgement,
  conversionSummary,
  conversionWorkerOf,
} from './rules/conversion';
import { preAuditVisitOf } from './rules/visit-changes';
import { live, SettleService, type SettleAnswer } from './settle.service';
import { SelfPaidRepository } from './self-paid.repository';
import { toSelfPaidVisitDto } from './self-paid-visits.service';
import { SettlementRecordRepository } from './settlement-record.repository';
import { toSettlementDto } from './settlement.mapper';
import { VisitRepository } from './visit.repository';

/**
 * Use case: 自费转工伤 (R10, 办法 26) once the determination is made. The desk lists the verified
 * worker's self-paid visits (by the keyed hash of the ID number in the 1101 answer behind the MATCH),
 * each convertible or not with the reason, and converts one: the same settle path as any visit
 * (SettleService: pre-audit with the conversion rules, 2207 / 2304 with `cvs_flag` "1" through the
 * outbox, the outcome hook), answering 201 with the split and the refund, or 202 while unknown.
 */
@Injectable()
export class ConversionService {
  constructor(
    private readonly transactions: Transactions,
    private readonly config: GatewayConfig,
    private readonly audit: AuditService,
    private readonly pii: PiiCryptoService,
    private readonly workers: VerifiedWorkerService,
    private readonly visits: VisitRepository,
    private readonly lines: FeeLineRepository,
    private readonly selfPaid: SelfPaidRepository,
    private readonly records: SettlementRecordRepository,
    private readonly settling: SettleService,
  ) {}

  /** The verified worker's self-paid visits, each judged; the MATCH may be of any visit of theirs. */
  async list(principal: Principal, token: string | undefined): Promise<ConversionListDto> {
    const worker = await this.workers.workerForConversion(token?.trim(), principal);
    const certno = worker.answer.baseinfo.certno;
    const w = conversionWorkerOf(worker.answer);
    const reader = this.transactions.reader;
    const visits: ConversionCandidateDto[] = [];
    const judgements: ConversionJudgement[] = [];
    for (const mdtrtId of await this.selfPaid.visitsOfPerson(reader, personKeys(this.pii, certno))) {
      const visit = await this.visits.byMdtrtId(reader, mdtrtId);
      const row = visit ? await this.selfPaid.byVisit(reader, visit.id) : undefined;
      if (!visit || !row) {
        continue;
      }
      const view = toSelfPaidVisitDto(
        visit,
        row,
        await this.selfPaid.receipts(reader, visit.id),
        await this.lines.ofVisit(reader, visit.id),
      );
      const judged = conversionJudgement(
        {
          visit: preAuditVisitOf(visit, this.config.hospital.fixmedinsCode),
          state: visit.state,
          lineSumFen: view.lineSumFen,
          paidFen: view.paidFen,
        },
        w,
      );
      judgements.push(judged);
      const settlement = visit.state === 'open' ? undefined : live(await this.records.ofVisit(reader, visit.id));
      visits.push({
        ...view,
        conversion: judged.state,
        reason: judged.reason ? { ...judged.reason } : null,
        settlement: settlement ? toSettlementDto(settlement) : null,
      });
    }
    const convertible = visits.filter((v) => v.conversion === 'convertible').length;
    await this.audit.record({
      actor: principal,
      action: 'settlement.conversion.list',
      outcome: 'success',
      subject: personSubject(certno),
      details: { visits: visits.map((v) => `${v.visitId}:${v.conversion}`), convertible },
    });
    return {
      determination: {
        status: w.injuryStatus,
        injuryDate: w.injuryDate,
        determinationDate: w.determinationDate,
        determinationNo: w.determinationNo,
      },
      convertible,
      message: conversionSummary(w, judgements),
      visits,
    };
  }

  /**
   * Converts a self-paid visit: SettleService with `conversion` (the MATCH's person must be the one
   * the visit was recorded for; the person number is attached; Idempotency-Key as for settling).
   */
  async convert(
    principal: Principal,
    mdtrtId: string,
    token: string | undefined,
    idempotencyKey: string | undefined,
    desk?: string,
  ): Promise<SettleAnswer> {
    return this.settling.settle(principal, mdtrtId, token, idempotencyKey, desk, { conversion: true });
  }
}

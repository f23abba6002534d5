import { Injectable } from '@nestjs/common';
import { Transactions } from '../platform';
import { SettlementRecordRepository } from './settlement-record.repository';
import type { SettlementDto } from './settlement.dto';
import type { SettlementRecord } from './settlement.entity';
import { SETTLE_MESSAGES, SETTLEMENT_ERRORS } from './settlement.errors';
import { toSettlementDto } from './settlement.mapper';
import { VisitRepository } from './visit.repository';
import { notFound } from './visits.service';

/** Use case: read settlements (GET …/settlements/{id}, GET …/visits/{id}/settlements) for polling. */
@Injectable()
export class SettlementReadingService {
  constructor(
    private readonly transactions: Transactions,
    private readonly records: SettlementRecordRepository,
    private readonly visits: VisitRepository,
  ) {}

  async get(id: string): Promise<SettlementDto> {
    return toSettlementDto(await this.record(id));
  }

  /** The record, or 404 SETTLEMENT_NOT_FOUND. */
  async record(id: string): Promise<SettlementRecord> {
    const r = await this.records.byId(this.transactions.reader, id);
    if (!r) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_NOT_FOUND', { message: SETTLE_MESSAGES.notFound(id) });
    }
    return r;
  }

  /** Ids of the settlements of `kind` settled since `since` that still stand, oldest first (at most `limit`). */
  async settledSince(kind: 'outpatient' | 'inpatient', since: Date, limit: number): Promise<string[]> {
    return this.records.settledIdsSince(this.transactions.reader, kind, since, limit);
  }

  /** A visit's settlements, newest first. */
  async ofVisit(mdtrtId: string): Promise<SettlementDto[]> {
    const visit = await this.visits.byMdtrtId(this.transactions.reader, mdtrtId);
    if (!visit) {
      throw notFound(mdtrtId);
    }
    return (await this.records.ofVisit(this.transactions.reader, visit.id)).map(toSettlementDto);
  }
}

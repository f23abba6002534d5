import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, type Principal, Transactions, uuidv7, ValidationFailedError } from '../platform';
import { FeeLineRepository } from './fee-line.repository';
import { lineChange, repeatedLineIds, type FeeLineContent } from './rules/visit-changes';
import type { FeeLineBatchResultDto, FeeLineDto, FeeLineInputDto } from './visits.dto';
import type { SettlementFeeLine } from './settlement.entity';
import { SETTLEMENT_ERRORS, VISIT_MESSAGES } from './settlement.errors';
import { toFeeLineDto, toPreAuditLine } from './settlement.mapper';
import { VisitRepository } from './visit.repository';
import { requireOpen } from './visits.service';

/**
 * Use case: the fee lines HIS declares for a visit, whole or a day at a time (inpatient stays).
 * Idempotent by HIS line id: the same line again changes nothing, different content is a
 * correction, a withdrawn line declared again is reinstated; lines not named are left alone. A line
 * can be corrected or withdrawn until the visit is settled (then 409 SETTLEMENT_VISIT_SETTLED).
 * Each batch is one transaction with its audit entry, under the visit's row lock.
 */
@Injectable()
export class FeeLinesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly visits: VisitRepository,
    private readonly lines: FeeLineRepository,
  ) {}

  async declare(
    principal: Principal,
    mdtrtId: string,
    batch: readonly FeeLineInputDto[],
  ): Promise<FeeLineBatchResultDto> {
    const repeated = repeatedLineIds(batch);
    if (repeated.length > 0) {
      throw new ValidationFailedError(
        repeated.map((i) => SETTLEMENT_ERRORS.detail('SETTLEMENT_LINE_DUPLICATE', { field: `lines.${i}.lineId` })),
      );
    }
    const now = this.clock.now();
    return this.transactions.run(async (m) => {
      const visit = requireOpen(await this.visits.lock(m, mdtrtId), mdtrtId);
      const stored = new Map((await this.lines.ofVisit(m, visit.id)).map((l) => [l.lineId, l]));
      const result: FeeLineBatchResultDto = {
        visitId: mdtrtId,
        added: [],
        corrected: [],
        reinstated: [],
        unchanged: [],
      };
      const corrections: Array<{ lineId: string; from: FeeLineContent; to: FeeLineContent }> = [];
      for (const input of batch) {
        const content = toPreAuditLine(input);
        const before = stored.get(input.lineId);
        const change = lineChange(before, content);
        result[change].push(input.lineId);
        if (change === 'added') {
          await this.lines.insert(m, newLine(visit.id, content, now));
        } else if (before && change !== 'unchanged') {
          await this.lines.rewrite(m, before.id, { ...content, state: 'active', revision: before.revision + 1 }, now);
          corrections.push({ lineId: input.lineId, from: toPreAuditLine(before), to: content });
        }
      }
      if (result.added.length + result.corrected.length + result.reinstated.length > 0) {
        await this.audit.record(
          {
            actor: principal,
            action: 'settlement.fee-lines',
            outcome: 'success',
            details: {
              visitId: mdtrtId,
              added: result.added,
              corrected: result.corrected,
              reinstated: result.reinstated,
              unchanged: result.unchanged.length,
              changes: corrections,
            },
          },
          m,
        );
      }
      return result;
    });
  }

  /** Withdraws a line (kept, shown as withdrawn, never settled); withdrawing it again changes nothing. */
  async withdraw(principal: Principal, mdtrtId: string, lineId: string): Promise<FeeLineDto> {
    return this.transactions.run(async (m) => {
      const visit = requireOpen(await this.visits.lock(m, mdtrtId), mdtrtId);
      const line = await this.lineOf(m, visit.id, mdtrtId, lineId);
      if (line.state === 'withdrawn') {
        return toFeeLineDto(line);
      }
      const now = this.clock.now();
      const next: SettlementFeeLine = { ...line, state: 'withdrawn', revision: line.revision + 1, updatedAt: now };
      await this.lines.rewrite(m, line.id, next, now);
      await this.audit.record(
        {
          actor: principal,
          action: 'settlement.fee-line.withdraw',
          outcome: 'success',
          details: { visitId: mdtrtId, lineId, amountFen: line.amountFen, revision: next.revision },
        },
        m,
      );
      return toFeeLineDto(next);
    });
  }

  private async lineOf(m: EntityManager, visitId: string, mdtrtId: string, lineId: string): Promise<SettlementFeeLine> {
    const line = (await this.lines.ofVisit(m, visitId)).find((l) => l.lineId === lineId);
    if (!line) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_LINE_NOT_FOUND', {
        message: VISIT_MESSAGES.lineNotFound(mdtrtId, lineId),
      });
    }
    return line;
  }
}

function newLine(visitId: string, content: FeeLineContent, now: Date): SettlementFeeLine {
  return { ...content, id: uuidv7(), visitId, state: 'active', revision: 1, createdAt: now, updatedAt: now };
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, DEFAULT_PAGE_SIZE, type Principal, Transactions } from '../platform';
import { UpstreamCalls } from '../upstream/upstream-calls';
import { INFCODE } from '../upstream/protocol/transactions';
import type { SettlementMessage } from './rules/settlement-message';
import { type InsurerSplit, readSettlementReply, type SettlementReading } from './rules/settlement-reply';
import { confirmedOutput } from './rules/settlement-review';
import { SettlementOutcomeService } from './settlement-outcome.service';
import { SettlementEventsService } from './settlement-events.service';
import { SettlementReadingService } from './settlement-reading.service';
import { SettlementRecordRepository } from './settlement-record.repository';
import type { ReviewSettlementDto, SettlementListQueryDto } from './settlement-review.dto';
import type { SettlementDto } from './settlement.dto';
import type { SettlementRecord } from './settlement.entity';
import { SETTLE_MESSAGES, SETTLEMENT_ERRORS } from './settlement.errors';
import { toSettlementDto } from './settlement.mapper';
import { VisitRepository } from './visit.repository';

/**
 * Use case: IT's way out of `needs-review` (POST …/settlements/{id}/review), where the insurer
 * answered a settlement but its reply failed the checks, so its visit stays `settling`.
 *
 * - requery: 9201 for the settlement's msgid (UpstreamCalls, synchronously: it changes nothing at the
 *   insurer); the stored reply read with the same checks (readSettlementReply). Passing, it is
 *   recorded settled exactly as the outcome hook records it (SettlementOutcomeService.recordSettled);
 *   failing, it stays needs-review with the new problem.
 * - resolve not-settled: IT confirmed with the insurer that nothing was settled → rejected, the
 *   visit open again. resolve settled: the insurer's setl_id and split as IT confirmed them, through
 *   the checks of a reply → settled.
 *
 * Each action is audited (`settlement.review`) under the principal with the staff name, in the
 * transaction of its change; a cancel requested meanwhile is then carried out (or moot).
 */
@Injectable()
export class SettlementReviewService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly calls: UpstreamCalls,
    private readonly records: SettlementRecordRepository,
    private readonly visits: VisitRepository,
    private readonly reading: SettlementReadingService,
    private readonly outcomes: SettlementOutcomeService,
    private readonly deskEvents: SettlementEventsService,
  ) {}

  /** Settlements in one status, newest first (GET …/settlements?status=needs-review). */
  async list(query: SettlementListQueryDto): Promise<SettlementDto[]> {
    const page = { limit: query.limit ?? DEFAULT_PAGE_SIZE, before: query.before };
    return (await this.records.withStatus(this.transactions.reader, query.status, page)).map(toSettlementDto);
  }

  async review(principal: Principal, id: string, request: ReviewSettlementDto): Promise<SettlementDto> {
    const record = await this.reading.record(id);
    if (record.status !== 'needs-review') {
      throw notInReview(record);
    }
    if (request.action === 'requery') {
      await this.readAgain(principal, record, request.staff);
    } else if (request.outcome === 'not-settled') {
      await this.notSettled(principal, record, request);
    } else {
      await this.confirmedSettled(principal, record, request);
    }
    return toSettlementDto(await this.reading.record(id));
  }

  private async readAgain(principal: Principal, record: SettlementRecord, staff: string): Promise<void> {
    const stored = await this.calls.queryByMsgid(record.msgid, record.infno);
    const sent = JSON.parse(record.message) as SettlementMessage;
    let reading: SettlementReading;
    if (stored === null) {
      reading = { ok: false, problem: `9201 requery: the insurer never received msgid ${record.msgid}` };
    } else if (stored.reply.infcode !== INFCODE.ok) {
      const why = stored.reply.err_msg ?? '';
      reading = { ok: false, problem: `9201 requery: the stored reply is infcode ${stored.reply.infcode} ${why}` };
    } else {
      reading = readSettlementReply(stored.output, sent, true);
      if (!reading.ok) {
        reading = { ok: false, problem: `9201 requery: ${reading.problem}` };
      }
    }
    const audited = { action: 'requery', staff, msgid: record.msgid };
    await this.transactions.run(async (m) => {
      if (reading.ok) {
        await this.settled(m, principal, record, reading.split, audited);
        return;
      }
      const problem = reading.problem.slice(0, 1000);
      const now = this.clock.now();
      if (!(await this.records.changeStatus(m, record.id, 'needs-review', 'needs-review', { problem }, now))) {
        throw notInReview(record);
      }
      await this.audited(m, principal, record, 'failure', { ...audited, result: 'needs-review', problem });
    });
  }

  private async notSettled(
    principal: Principal,
    record: SettlementRecord,
    request: ReviewSettlementDto,
  ): Promise<void> {
    const problem = `信息科确认经办机构未结算（${request.staff}）：${request.note ?? ''}`.slice(0, 1000);
    await this.transactions.run(async (m) => {
      const now = this.clock.now();
      if (!(await this.records.changeStatus(m, record.id, 'needs-review', 'rejected', { problem }, now))) {
        throw notInReview(record);
      }
      await this.visits.changeState(m, record.visitId, 'settling', 'open', now);
      await this.audited(m, principal, record, 'success', {
        action: 'resolve',
        result: 'not-settled',
        staff: request.staff,
        note: request.note,
        evidence: request.evidence ?? null,
      });
      await this.finish(m, principal, { ...record, status: 'rejected', problem, updatedAt: now });
    });
  }

  private async confirmedSettled(
    principal: Principal,
    record: SettlementRecord,
    request: ReviewSettlementDto,
  ): Promise<void> {
    const sent = JSON.parse(record.message) as SettlementMessage;
    const output = confirmedOutput(
      {
        setlId: request.setlId as string,
        setlTime: request.setlTime as string,
        fundFen: request.fundFen as number,
        selfPayFen: request.selfPayFen as number,
        lines: request.lines,
      },
      sent,
    );
    const reading: SettlementReading =
      typeof output === 'string' ? { ok: false, problem: output } : readSettlementReply(output, sent, true);
    if (!reading.ok) {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_REVIEW_SPLIT_INVALID', {
        details: [{ field: 'lines', message: reading.problem }],
      });
    }
    await this.transactions.run((m) =>
      this.settled(m, principal, record, reading.split, {
        action: 'resolve',
        staff: request.staff,
        note: request.note,
        evidence: request.evidence ?? null,
      }),
    );
  }

  /** needs-review → settled through the outcome hook's own path, audited, then a requested cancel carried out. */
  private async settled(
    m: EntityManager,
    principal: Principal,
    record: SettlementRecord,
    split: InsurerSplit,
    details: Record<string, unknown>,
  ): Promise<void> {
    const after = await this.outcomes.recordSettled(m, record, 'needs-review', split, principal, {
      review: details.action,
      staff: details.staff,
    });
    if (!after) {
      throw notInReview(record);
    }
    await this.audited(m, principal, record, 'success', { ...details, result: 'settled', setlId: split.setlId });
    await this.finish(m, principal, after);
  }

  /** Once committed the desk hears of the new status; a cancel requested meanwhile goes out (or is moot). */
  private async finish(m: EntityManager, principal: Principal, after: SettlementRecord): Promise<void> {
    this.records.afterCommit(m, () => this.deskEvents.changed(after));
    await this.outcomes.afterOutcome(m, after, principal);
  }

  private async audited(
    m: EntityManager,
    principal: Principal,
    record: SettlementRecord,
    outcome: 'success' | 'failure',
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(
      {
        actor: principal,
        action: 'settlement.review',
        outcome,
        details: { settlementId: record.id, visitId: record.mdtrtId, ...details },
      },
      m,
    );
  }
}

function notInReview(record: SettlementRecord): Error {
  return SETTLEMENT_ERRORS.raise('SETTLEMENT_NOT_IN_REVIEW', {
    message: SETTLE_MESSAGES.notInReview(record.id, record.status),
  });
}

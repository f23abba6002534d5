import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, GatewayConfig, type Principal, Transactions } from '../platform';
import { OutboxService } from '../upstream/outbox/outbox.service';
import { INFNO } from '../upstream/protocol/transactions';
import { OutcomeNotifier } from './outcome-notifier.service';
import { SettlementEventsService } from './settlement-events.service';
import { SettlementReadingService } from './settlement-reading.service';
import { SettlementRecordRepository } from './settlement-record.repository';
import type { CancelSettlementDto, SettlementDto } from './settlement.dto';
import type { SettlementRecord } from './settlement.entity';
import { SETTLE_MESSAGES, SETTLEMENT_ERRORS } from './settlement.errors';
import { toSettlementDto } from './settlement.mapper';

/**
 * Use case: cancel a settlement (POST …/settlements/{id}/cancel).
 *
 * - Settled: 2208 / 2305 queued in one transaction with the status change settled → cancelling and
 *   its audit entry. The outcome hook marks it cancelled and opens the visit again.
 * - Outcome unknown (pending, or needs-review): the cancel is recorded as a request (who, why, when;
 *   `settlement.cancel-request`) and carried out when the outcome is known (`afterOutcome`, called
 *   by the outcome hook and by IT's review in their transactions): a settled one is cancelled at
 *   once, a rejected one needs no cancel (moot). A pending one is waited for, as settle waits.
 * - Already cancelled, cancelling, rejected, or a cancel already requested: 409.
 */
@Injectable()
export class SettlementCancelService {
  constructor(
    private readonly transactions: Transactions,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly records: SettlementRecordRepository,
    private readonly reading: SettlementReadingService,
    private readonly deskEvents: SettlementEventsService,
    private readonly notifier: OutcomeNotifier,
  ) {}

  async cancel(principal: Principal, id: string, request: CancelSettlementDto): Promise<SettlementDto> {
    const record = await this.reading.record(id);
    if (record.status === 'pending' || record.status === 'needs-review') {
      return this.requestCancel(principal, record, request);
    }
    const refuse = () =>
      SETTLEMENT_ERRORS.raise('SETTLEMENT_NOT_CANCELLABLE', {
        message: SETTLE_MESSAGES.notCancellable(id, record.status),
      });
    if (record.status !== 'settled' || record.setlId === null) {
      throw refuse();
    }
    await this.transactions.run(async (m) => {
      const cancelling = await this.enqueueCancel(m, record, principal, cancelReason(request), {
        staff: request.staff,
        reason: request.reason,
      });
      if (!cancelling) {
        throw refuse(); // a concurrent cancel won: roll back this message
      }
    });
    this.outbox.committed();
    const after = await this.reading.record(id);
    if (after.status === 'cancelling') {
      this.deskEvents.changed(after); // committed; skipped when the outcome already came back
    }
    return toSettlementDto(after);
  }

  /**
   * Once a settlement's outcome is recorded, inside that transaction: a cancel requested while it
   * was unknown is carried out. Settled → 2208 / 2305 queued, status cancelling (audited
   * `settlement.cancel` with the request's staff and reason); rejected → moot (`settlement.cancel-moot`);
   * still needs-review → it keeps waiting. Returns the record as it now stands. Reads the record
   * again, so a request committed while the outcome was being recorded is seen; never throws for
   * a reason that stays (it runs in the dispatcher's settling transaction).
   */
  async afterOutcome(m: EntityManager, after: SettlementRecord, actor: Principal): Promise<SettlementRecord> {
    const fresh = await this.records.byId(m, after.id);
    if (!fresh || fresh.cancelRequestedAt === null) {
      return after;
    }
    const current = { ...after, cancelRequestedAt: fresh.cancelRequestedAt, cancelReason: fresh.cancelReason };
    const requested = { requestedAt: fresh.cancelRequestedAt.toISOString(), request: fresh.cancelReason };
    if (fresh.status === 'rejected') {
      await this.audit.record(
        {
          actor,
          action: 'settlement.cancel-moot',
          outcome: 'success',
          details: { settlementId: fresh.id, visitId: fresh.mdtrtId, ...requested },
        },
        m,
      );
      return current;
    }
    if (fresh.status !== 'settled' || fresh.setlId === null) {
      return current;
    }
    // This transaction just made it settled and holds the row: the status change below cannot lose.
    const cancelling = await this.enqueueCancel(m, fresh, actor, fresh.cancelReason ?? '', requested);
    if (!cancelling) {
      return current;
    }
    this.records.afterCommit(m, () => this.outbox.committed());
    return { ...current, ...cancelling };
  }

  /** Records the request (pending or needs-review), then waits for a pending one's outcome up to settlement.waitForOutcomeMs. */
  private async requestCancel(
    principal: Principal,
    record: SettlementRecord,
    request: CancelSettlementDto,
  ): Promise<SettlementDto> {
    const already = () =>
      SETTLEMENT_ERRORS.raise('SETTLEMENT_NOT_CANCELLABLE', {
        message: SETTLE_MESSAGES.cancelAlreadyRequested(record.id),
      });
    if (record.cancelRequestedAt !== null) {
      throw already();
    }
    const recorded = await this.transactions.run(async (m) => {
      const now = this.clock.now();
      if (!(await this.records.requestCancel(m, record.id, record.status, cancelReason(request), now))) {
        return false;
      }
      await this.audit.record(
        {
          actor: principal,
          action: 'settlement.cancel-request',
          outcome: 'success',
          details: {
            settlementId: record.id,
            visitId: record.mdtrtId,
            status: record.status,
            msgid: record.msgid,
            staff: request.staff,
            reason: request.reason,
          },
        },
        m,
      );
      return true;
    });
    if (!recorded) {
      // The outcome arrived meanwhile, or another request won: answer as for the record as it is now.
      const now = await this.reading.record(record.id);
      if (now.cancelRequestedAt !== null && (now.status === 'pending' || now.status === 'needs-review')) {
        throw already();
      }
      return this.cancel(principal, record.id, request);
    }
    if (record.status === 'pending') {
      await this.notifier.wait(record.id, this.config.settlement.waitForOutcomeMs);
    }
    return toSettlementDto(await this.reading.record(record.id));
  }

  /** 2208 / 2305 queued and the status settled → cancelling, audited; null when it is no longer settled. */
  private async enqueueCancel(
    m: EntityManager,
    record: SettlementRecord,
    actor: Principal,
    reason: string,
    details: Record<string, unknown>,
  ): Promise<SettlementRecord | null> {
    const now = this.clock.now();
    const infno = record.kind === 'outpatient' ? INFNO.outpatientSettlementCancel : INFNO.inpatientSettlementCancel;
    const [message] = await this.outbox.enqueue(m, [
      {
        infno,
        input: { psn_no: record.psnNo, setl_id: record.setlId, mdtrt_id: record.mdtrtId },
        subjectKey: `settlement:${record.mdtrtId}`,
      },
    ]);
    const change = { cancelMsgid: message.msgid, cancelReason: reason };
    if (!(await this.records.changeStatus(m, record.id, 'settled', 'cancelling', change, now))) {
      return null;
    }
    await this.audit.record(
      {
        actor,
        action: 'settlement.cancel',
        outcome: 'success',
        details: {
          settlementId: record.id,
          visitId: record.mdtrtId,
          setlId: record.setlId,
          msgid: message.msgid,
          ...details,
        },
      },
      m,
    );
    return { ...record, ...change, status: 'cancelling', updatedAt: now };
  }
}

/** Who cancels and why, as kept on the record. */
function cancelReason(request: CancelSettlementDto): string {
  return `${request.staff}：${request.reason}`.slice(0, 600);
}

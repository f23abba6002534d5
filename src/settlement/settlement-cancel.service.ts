import { Injectable } from '@nestjs/common';
import { AuditService, Clock, type Principal, Transactions } from '../platform';
import { OutboxService } from '../upstream/outbox/outbox.service';
import { INFNO } from '../upstream/protocol/transactions';
import { SettlementEventsService } from './settlement-events.service';
import { SettlementReadingService } from './settlement-reading.service';
import { SettlementRecordRepository } from './settlement-record.repository';
import type { CancelSettlementDto, SettlementDto } from './settlement.dto';
import { SETTLE_MESSAGES, SETTLEMENT_ERRORS } from './settlement.errors';
import { toSettlementDto } from './settlement.mapper';

/**
 * Use case: cancel a settled settlement (POST …/settlements/{id}/cancel): 2208 / 2305 queued in one
 * transaction with the status change settled → cancelling and its audit entry. The outcome hook
 * marks it cancelled and opens the visit again. A settlement whose outcome is not known is not
 * cancelled (the dispatcher resolves it by 9201 first); one already cancelled or cancelling neither.
 */
@Injectable()
export class SettlementCancelService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly records: SettlementRecordRepository,
    private readonly reading: SettlementReadingService,
    private readonly deskEvents: SettlementEventsService,
  ) {}

  async cancel(principal: Principal, id: string, request: CancelSettlementDto): Promise<SettlementDto> {
    const record = await this.reading.record(id);
    if (record.status === 'pending') {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_OUTCOME_UNKNOWN', { message: SETTLE_MESSAGES.outcomeUnknown(id) });
    }
    const refuse = () =>
      SETTLEMENT_ERRORS.raise('SETTLEMENT_NOT_CANCELLABLE', {
        message: SETTLE_MESSAGES.notCancellable(id, record.status),
      });
    if (record.status !== 'settled' || record.setlId === null) {
      throw refuse();
    }
    const infno = record.kind === 'outpatient' ? INFNO.outpatientSettlementCancel : INFNO.inpatientSettlementCancel;
    await this.transactions.run(async (m) => {
      const now = this.clock.now();
      const [message] = await this.outbox.enqueue(m, [
        {
          infno,
          input: { psn_no: record.psnNo, setl_id: record.setlId, mdtrt_id: record.mdtrtId },
          subjectKey: `settlement:${record.mdtrtId}`,
        },
      ]);
      const changed = await this.records.changeStatus(
        m,
        id,
        'settled',
        'cancelling',
        { cancelMsgid: message.msgid, cancelReason: `${request.staff}：${request.reason}`.slice(0, 600) },
        now,
      );
      if (!changed) {
        throw refuse(); // a concurrent cancel won: roll back this message
      }
      await this.audit.record(
        {
          actor: principal,
          action: 'settlement.cancel',
          outcome: 'success',
          details: {
            settlementId: id,
            visitId: record.mdtrtId,
            setlId: record.setlId,
            msgid: message.msgid,
            staff: request.staff,
            reason: request.reason,
          },
        },
        m,
      );
    });
    this.outbox.committed();
    const after = await this.reading.record(id);
    if (after.status === 'cancelling') {
      this.deskEvents.changed(after); // committed; skipped when the outcome already came back
    }
    return toSettlementDto(after);
  }
}

import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, type Principal, systemPrincipal } from '../platform';
import { SettlementCodesService } from '../trace-codes/settlement-codes.service';
import type { OutboxMessage } from '../upstream/outbox/outbox-message.entity';
import { OutboxService, type SettledOutcome } from '../upstream/outbox/outbox.service';
import { INFNO } from '../upstream/protocol/transactions';
import { InsurerAwayService } from './insurer-away.service';
import { OutcomeNotifier } from './outcome-notifier.service';
import { SettlementEventsService } from './settlement-events.service';
import { SettlementMetrics, type SettlementOutcome } from './settlement.metrics';
import type { PreAuditResult } from './rules/pre-audit-result';
import type { SettlementMessage } from './rules/settlement-message';
import { deskCollectsFen, type InsurerSplit, readSettlementReply } from './rules/settlement-reply';
import { SettlementCancelService } from './settlement-cancel.service';
import { SettlementRecordRepository } from './settlement-record.repository';
import type { SettlementRecord, SettlementVisit } from './settlement.entity';
import { VisitRepository } from './visit.repository';

/** Told after a settlement became settled (its transaction committed): renders the statement. */
export type SettledListener = (settlementId: string) => void;

/**
 * Told inside the transaction that records a settlement's outcome, with the record as it now is and
 * its visit: what the listener writes commits with the outcome or not at all (e.g. the duty to upload
 * a cross-province settlement, R11, or its waiver when the settlement is cancelled).
 */
export type OutcomeInTransactionListener = (
  m: EntityManager,
  record: SettlementRecord,
  visit: SettlementVisit | undefined,
) => Promise<void>;

/**
 * The outbox completion hooks of settlement: 2207 / 2304 (settled with the insurer's split, rejected
 * with its reason, or needs-review when the reply fails the checks) and 2208 / 2305 (cancelled, or
 * back to settled when the insurer refuses the cancellation). Each runs inside the dispatcher's
 * settling transaction; the waiting request is woken after that transaction commits.
 */
@Injectable()
export class SettlementOutcomeService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(SettlementOutcomeService.name);
  private readonly actor = systemPrincipal('upstream.dispatcher');
  private readonly off: Array<() => void> = [];
  private readonly settledListeners: SettledListener[] = [];
  private readonly inTransaction: Record<'settled' | 'cancelled', OutcomeInTransactionListener[]> = {
    settled: [],
    cancelled: [],
  };

  constructor(
    private readonly outbox: OutboxService,
    private readonly records: SettlementRecordRepository,
    private readonly visits: VisitRepository,
    private readonly traceCodes: SettlementCodesService,
    private readonly notifier: OutcomeNotifier,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly deskEvents: SettlementEventsService,
    private readonly metrics: SettlementMetrics,
    private readonly cancels: SettlementCancelService,
    private readonly insurerAway: InsurerAwayService,
  ) {}

  onModuleInit(): void {
    for (const infno of [INFNO.outpatientSettlement, INFNO.inpatientSettlement]) {
      this.off.push(this.outbox.onSettled(infno, (m, msg, outcome) => this.settled(m, msg, outcome)));
    }
    for (const infno of [INFNO.outpatientSettlementCancel, INFNO.inpatientSettlementCancel]) {
      this.off.push(this.outbox.onSettled(infno, (m, msg, outcome) => this.cancelled(m, msg, outcome)));
    }
  }

  onApplicationShutdown(): void {
    this.off.forEach((off) => off());
  }

  /** `listener` runs after each settling transaction that settled a settlement commits. */
  onSettlementSettled(listener: SettledListener): void {
    this.settledListeners.push(listener);
  }

  /** `listener` runs inside each transaction that records a settlement as settled (hook, IT's review, provisional). */
  onSettledInTransaction(listener: OutcomeInTransactionListener): void {
    this.inTransaction.settled.push(listener);
  }

  /** `listener` runs inside each transaction that records a settlement as cancelled by the insurer (2208 / 2305). */
  onCancelledInTransaction(listener: OutcomeInTransactionListener): void {
    this.inTransaction.cancelled.push(listener);
  }

  private async tellInTransaction(
    m: EntityManager,
    which: 'settled' | 'cancelled',
    record: SettlementRecord,
  ): Promise<void> {
    const listeners = this.inTransaction[which];
    if (listeners.length === 0) {
      return;
    }
    const visit = await this.visits.byMdtrtId(m, record.mdtrtId);
    for (const listener of listeners) {
      await listener(m, record, visit);
    }
  }

  /**
   * 2207 / 2304 settled: the outcome on the record and the visit, the trace codes marked uploaded. A
   * provisional settlement (queued while the insurer was away) ends the same way, and its outcome is
   * compared with the provisional split (InsurerAwayService.compare: a difference to collect or refund).
   */
  async settled(m: EntityManager, message: OutboxMessage, outcome: SettledOutcome): Promise<void> {
    const record = await this.records.byMsgid(m, message.msgid);
    if (!record || (record.status !== 'pending' && record.status !== 'provisional')) {
      return;
    }
    const from = record.status;
    const now = this.clock.now();
    let after: SettlementRecord;
    if (outcome.status === 'rejected') {
      const reason = (outcome.errMsg ?? `infcode ${outcome.infcode}`).slice(0, 1000);
      await this.records.changeStatus(m, record.id, from, 'rejected', { problem: reason }, now);
      after = { ...record, status: 'rejected', problem: reason, updatedAt: now };
      await this.visits.changeState(m, record.visitId, 'settling', 'open', now);
      await this.record(m, record, 'settlement.rejected', 'failure', { infcode: outcome.infcode, reason });
    } else {
      const sent = JSON.parse(record.message) as SettlementMessage;
      const reading = readSettlementReply(outcome.output, sent, true);
      if (!reading.ok) {
        // The insurer holds a settlement whose split cannot be believed: the visit stays locked.
        await this.records.changeStatus(m, record.id, from, 'needs-review', { problem: reading.problem }, now);
        after = { ...record, status: 'needs-review', problem: reading.problem, updatedAt: now };
        await this.record(m, record, 'settlement.needs-review', 'failure', { problem: reading.problem });
        this.logger.warn(`settlement ${record.id}: the insurer's reply failed the checks: ${reading.problem}`);
      } else {
        const settled = await this.recordSettled(m, record, from, reading.split, this.actor);
        if (!settled) {
          return;
        }
        after = settled;
      }
    }
    await this.insurerAway.compare(m, after);
    this.afterCommit(m, after, after.status as SettlementOutcome);
    await this.afterOutcome(m, after, this.actor);
  }

  /**
   * The insurer settled `record` with `split` (its reply, or IT's confirmation, passed the checks):
   * the record leaves `from` (pending: this hook; needs-review: IT's review), the visit is settled,
   * its trace codes marked uploaded, `settlement.settled` audited by `actor`, the statement rendered
   * once the transaction commits. Null (nothing changed) when the record already left `from`.
   */
  async recordSettled(
    m: EntityManager,
    record: SettlementRecord,
    from: 'pending' | 'provisional' | 'needs-review',
    split: InsurerSplit,
    actor: Principal,
    details: Record<string, unknown> = {},
  ): Promise<SettlementRecord | null> {
    const now = this.clock.now();
    const sent = JSON.parse(record.message) as SettlementMessage;
    const desk = deskCollectsFen(split, sent, JSON.parse(record.preAudit) as PreAuditResult);
    const setlId = split.setlId as string;
    const change = { setlId, split: JSON.stringify(split), deskCollectsFen: desk, settledAt: now, problem: null };
    if (!(await this.records.changeStatus(m, record.id, from, 'settled', change, now))) {
      return null;
    }
    await this.visits.changeState(m, record.visitId, 'settling', 'settled', now);
    await this.traceCodes.markUploaded(record.mdtrtId, setlId, m, actor);
    const totals = { setlId, ...totalsOf(split), desk, ...details };
    await this.record(m, record, 'settlement.settled', 'success', totals, actor);
    const settled: SettlementRecord = { ...record, ...change, status: 'settled', updatedAt: now };
    await this.tellInTransaction(m, 'settled', settled);
    this.records.afterCommit(m, () => this.settledListeners.forEach((l) => l(record.id)));
    return settled;
  }

  /**
   * A cancel requested while the outcome was unknown, carried out now that it is known
   * (SettlementCancelService.afterOutcome); the desk is told of the new status after commit.
   */
  async afterOutcome(m: EntityManager, after: SettlementRecord, actor: Principal): Promise<SettlementRecord> {
    const now = await this.cancels.afterOutcome(m, after, actor);
    if (now.status !== after.status) {
      this.records.afterCommit(m, () => this.deskEvents.changed(now));
    }
    return now;
  }

  /** 2208 / 2305 settled: cancelled (the visit open again, its trace codes pending again), or back to settled when refused. */
  async cancelled(m: EntityManager, message: OutboxMessage, outcome: SettledOutcome): Promise<void> {
    const record = await this.records.byCancelMsgid(m, message.msgid);
    if (!record || record.status !== 'cancelling') {
      return;
    }
    const now = this.clock.now();
    let after: SettlementRecord;
    if (outcome.status === 'rejected') {
      const reason = (outcome.errMsg ?? `infcode ${outcome.infcode}`).slice(0, 1000);
      await this.records.changeStatus(m, record.id, 'cancelling', 'settled', { problem: reason }, now);
      after = { ...record, status: 'settled', problem: reason, updatedAt: now };
      await this.record(m, record, 'settlement.cancel-rejected', 'failure', { infcode: outcome.infcode, reason });
    } else {
      await this.records.changeStatus(m, record.id, 'cancelling', 'cancelled', { cancelledAt: now }, now);
      after = { ...record, status: 'cancelled', cancelledAt: now, updatedAt: now };
      await this.visits.changeState(m, record.visitId, 'settled', 'open', now);
      await this.traceCodes.releaseUploaded(record.mdtrtId, record.setlId as string, m, this.actor);
      await this.record(m, record, 'settlement.cancelled', 'success', { setlId: record.setlId });
      await this.tellInTransaction(m, 'cancelled', after);
    }
    this.afterCommit(m, after, after.status === 'cancelled' ? 'cancelled' : 'cancel-rejected');
  }

  /** Once the settling transaction committed: the waiting request woken, the desk told, the outcome counted. */
  private afterCommit(m: EntityManager, after: SettlementRecord, outcome: SettlementOutcome): void {
    this.records.afterCommit(m, () => {
      this.notifier.notify(after.id);
      this.deskEvents.changed(after);
      const settle = outcome === 'settled' || outcome === 'rejected' || outcome === 'needs-review';
      const seconds = (after.updatedAt.getTime() - after.createdAt.getTime()) / 1000;
      this.metrics.outcome(after.kind, outcome, settle ? seconds : undefined);
    });
  }

  private async record(
    m: EntityManager,
    r: SettlementRecord,
    action: string,
    outcome: 'success' | 'failure',
    details: Record<string, unknown>,
    actor: Principal = this.actor,
  ): Promise<void> {
    await this.audit.record(
      { actor, action, outcome, details: { settlementId: r.id, visitId: r.mdtrtId, ...details } },
      m,
    );
  }
}

function totalsOf(split: {
  totalFen: number;
  fundFen: number;
  selfPayFen: number;
  refundFen: number | null;
}): Record<string, number> {
  const totals: Record<string, number> = {
    totalFen: split.totalFen,
    fundFen: split.fundFen,
    selfPayFen: split.selfPayFen,
  };
  if (split.refundFen !== null) {
    totals.refundFen = split.refundFen; // 自费转工伤: what the hospital refunds to the worker
  }
  return totals;
}

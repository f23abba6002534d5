import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  AuditService,
  Clock,
  GatewayConfig,
  PiiCryptoService,
  type Principal,
  Transactions,
  uuidv7,
} from '../platform';
import { OutboxService } from '../upstream/outbox/outbox.service';
import { INFNO } from '../upstream/protocol/transactions';
import { InsurerAwayService, type SettleMode } from './insurer-away.service';
import { OutcomeNotifier } from './outcome-notifier.service';
import { SettlementEventsService } from './settlement-events.service';
import { type PreparedSettlement, SettlementPreparationService } from './settlement-preparation.service';
import { SettlementRecordRepository } from './settlement-record.repository';
import type { SettlementDto } from './settlement.dto';
import type { SettlementRecord, SettlementVisit } from './settlement.entity';
import { SETTLE_MESSAGES, SETTLEMENT_ERRORS } from './settlement.errors';
import { toSettlementDto } from './settlement.mapper';
import { VisitRepository } from './visit.repository';

/** The PII context of the worker facts kept for the statement. */
export const WORKER_PII_CONTEXT = 'settlement_record.worker';

/** What the settle request answers: the settlement, once settled, rejected or still unknown. */
export type SettleAnswer = { status: 201 | 202; settlement: SettlementDto };

/** How to settle: `conversion` settles a self-paid visit as 自费转工伤 (ConversionService). */
export interface SettleOptions {
  conversion?: boolean;
}

/**
 * Use case: settle a visit (POST …/visits/{id}/settlement). The MATCH token first (nothing happens
 * without it), then the pre-audit, then one transaction: the visit's lock moves open → settling
 * (exactly one request wins, on any number of instances), the settlement record is written, the
 * 2207 / 2304 message is queued, the audit entry recorded. Then it waits for the outcome hook
 * (SettlementOutcomeService) up to settlement.waitForOutcomeMs. A retried request (same
 * Idempotency-Key, or none while the visit has a live settlement) answers the same settlement.
 * With the insurer link in emergency mode (InsurerAwayService): refused with 503, or queued the same way
 * as a `provisional` settlement carrying the local split, answered at once.
 */
@Injectable()
export class SettleService {
  constructor(
    private readonly transactions: Transactions,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly pii: PiiCryptoService,
    private readonly outbox: OutboxService,
    private readonly visits: VisitRepository,
    private readonly records: SettlementRecordRepository,
    private readonly preparation: SettlementPreparationService,
    private readonly notifier: OutcomeNotifier,
    private readonly deskEvents: SettlementEventsService,
    private readonly insurerAway: InsurerAwayService,
  ) {}

  async settle(
    principal: Principal,
    mdtrtId: string,
    token: string | undefined,
    idempotencyKey: string | undefined,
    desk?: string,
    options: SettleOptions = {},
  ): Promise<SettleAnswer> {
    const conversion = options.conversion === true;
    const { visit, worker } = await this.preparation.verified(principal, mdtrtId, token, conversion);
    const earlier = await this.earlier(visit, idempotencyKey);
    if (earlier) {
      return this.answer(await this.awaitOutcome(earlier));
    }
    // The insurer away: provisional, or 503 (refuse). A conversion (the worker has paid already) just waits.
    const mode = conversion ? 'normal' : this.insurerAway.settleMode();
    const prepared = await this.preparation.prepare(visit, worker, conversion);
    const { record, created } = await this.transactions.run((m) =>
      this.start(m, principal, prepared, idempotencyKey, desk ?? null, mode),
    );
    if (created) {
      this.outbox.committed(); // the dispatcher sends it now, not at its next poll
      this.deskEvents.changed(record); // committed: the desk sees it pending
      this.insurerAway.committed(record);
    }
    return this.answer(await this.awaitOutcome(record));
  }

  /** The settlement a retried request is about: by its key (refused for another visit), or the visit's live one. */
  private async earlier(visit: SettlementVisit, key: string | undefined): Promise<SettlementRecord | undefined> {
    const reader = this.transactions.reader;
    if (key !== undefined) {
      const known = await this.records.byIdempotencyKey(reader, key);
      if (known && known.visitId !== visit.id) {
        throw SETTLEMENT_ERRORS.raise('SETTLEMENT_IDEMPOTENCY_CONFLICT');
      }
      return known;
    }
    return live(await this.records.ofVisit(reader, visit.id));
  }

  /** In one transaction: the visit's lock, the record, the message, the audit entry. */
  private async start(
    m: EntityManager,
    principal: Principal,
    p: PreparedSettlement,
    key: string | undefined,
    desk: string | null,
    mode: SettleMode,
  ): Promise<{ record: SettlementRecord; created: boolean }> {
    const now = this.clock.now();
    const { visit } = p;
    if (!(await this.visits.changeState(m, visit.id, 'open', 'settling', now))) {
      // Another request (maybe on another instance) got there first: answer its settlement.
      const other = live(await this.records.ofVisit(m, visit.id));
      if (!other || (key !== undefined && other.idempotencyKey !== key)) {
        throw SETTLEMENT_ERRORS.raise('SETTLEMENT_IN_PROGRESS', {
          message: SETTLE_MESSAGES.inProgress(visit.mdtrtId, other?.id ?? '—', other?.status ?? visit.state),
        });
      }
      return { record: other, created: false };
    }
    const id = uuidv7();
    const infno = visit.kind === 'outpatient' ? INFNO.outpatientSettlement : INFNO.inpatientSettlement;
    const [message] = await this.outbox.enqueue(m, [
      {
        infno,
        input: p.message.input,
        subjectKey: `settlement:${visit.mdtrtId}`,
        insuplcAdmdvs: p.worker.answer.insuinfo.insuplc_admdvs || undefined,
      },
    ]);
    const record: SettlementRecord = {
      id,
      visitId: visit.id,
      mdtrtId: visit.mdtrtId,
      psnNo: visit.psnNo,
      kind: visit.kind,
      infno,
      msgid: message.msgid,
      idempotencyKey: key ?? `visit:${visit.mdtrtId}:${id}`,
      status: mode === 'provisional' ? 'provisional' : 'pending',
      message: JSON.stringify(p.message),
      preAudit: JSON.stringify(p.audit.result),
      lines: JSON.stringify(p.audit.lines),
      workerEnc: this.pii.encrypt(JSON.stringify(statementWorker(p)), WORKER_PII_CONTEXT),
      setlId: null,
      split: null,
      deskCollectsFen: null,
      problem: null,
      settledAt: null,
      cancelMsgid: null,
      cancelReason: null,
      cancelledAt: null,
      cancelRequestedAt: null,
      desk,
      provisionalSplit: mode === 'provisional' ? this.insurerAway.provisionalSplit(p.message, p.audit.result) : null,
      createdBy: `${principal.type}:${principal.id}`.slice(0, 100),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.records.insert(m, record))) {
      // The key was taken meanwhile by a request for another visit (this visit's lock is ours).
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_IDEMPOTENCY_CONFLICT');
    }
    await this.audit.record(
      {
        actor: principal,
        action: p.conversion ? 'settlement.conversion' : 'settlement.settle',
        outcome: 'success',
        details: {
          settlementId: id,
          ...(p.conversion ? { conversion: true } : {}),
          visitId: visit.mdtrtId,
          infno,
          msgid: message.msgid,
          sentLineIds: p.message.sentLineIds,
          sentTotalFen: p.message.sentTotalFen,
          totals: p.audit.result.totals,
          desk,
          provisional: mode === 'provisional',
        },
      },
      m,
    );
    return { record, created: true };
  }

  /** Waits (woken by the outcome hook) until the outcome is known or the deadline, then reads it once. */
  private async awaitOutcome(record: SettlementRecord): Promise<SettlementRecord> {
    if (record.status !== 'pending') {
      return record;
    }
    await this.notifier.wait(record.id, this.config.settlement.waitForOutcomeMs);
    return (await this.records.byId(this.transactions.reader, record.id)) ?? record;
  }

  private answer(record: SettlementRecord): SettleAnswer {
    if (record.status === 'rejected') {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_REJECTED', {
        message: SETTLE_MESSAGES.rejected(record.mdtrtId, record.problem ?? ''),
        details: [{ field: 'settlementId', message: record.id }],
      });
    }
    // Provisional: answered at once with the local split; the insurer's outcome comes after recovery.
    const unknown = record.status === 'pending' || record.status === 'needs-review' || record.status === 'provisional';
    return { status: unknown ? 202 : 201, settlement: toSettlementDto(record) };
  }
}

/** A visit's settlement that still holds it (not rejected, not cancelled); the newest. */
export function live(records: readonly SettlementRecord[]): SettlementRecord | undefined {
  return records.find((r) => r.status !== 'rejected' && r.status !== 'cancelled');
}

/** The worker as the statement prints them, from the insurer's 1101 answer. */
export interface StatementWorkerFacts {
  name: string;
  gend: string;
  idNumber: string;
  employer: string | null;
  determinationNo: string | null;
  /**
   * A worker insured in another province: the insured place and the filing number as the insurer
   * answered at settlement (R11: the 3301 upload carries them); null for a worker insured in Ningxia.
   * Absent on settlements recorded before it was kept.
   */
  crossProvince?: { insuplcAdmdvs: string; filingNo: string | null } | null;
}

function statementWorker(p: PreparedSettlement): StatementWorkerFacts {
  const { baseinfo, insuinfo, injury, cross_province: cross } = p.worker.answer;
  return {
    name: baseinfo.psn_name,
    gend: baseinfo.gend,
    idNumber: baseinfo.certno,
    employer: insuinfo.emp_name,
    determinationNo: injury.determination_no,
    crossProvince:
      cross === null ? null : { insuplcAdmdvs: cross.insuplc_admdvs, filingNo: cross.filing?.filing_no ?? null },
  };
}

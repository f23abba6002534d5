import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock, PiiCryptoService } from '../../platform';
import type { SettlementMessage } from '../../settlement/rules/settlement-message';
import type { InsurerSplit } from '../../settlement/rules/settlement-reply';
import { type StatementWorkerFacts, WORKER_PII_CONTEXT } from '../../settlement/settle.service';
import type { SettlementRecord, SettlementVisit } from '../../settlement/settlement.entity';
import { SettlementOutcomeService } from '../../settlement/settlement-outcome.service';
import type { OutboxMessage } from '../../upstream/outbox/outbox-message.entity';
import { OutboxService, type SettledOutcome } from '../../upstream/outbox/outbox.service';
import { INFNO } from '../../upstream/protocol/transactions';
import { ObligationsService } from '../obligations.service';
import { beijingDateTimeToInstant, crossProvinceUploadInput, type SentSettlement } from './rules/upload-input';

export const CROSS_PROVINCE_UPLOAD = 'cross-province-upload';
/** The outbox subject of a settlement's 3301: `xprov:<settlement id>` (the obligation's subject). */
const SUBJECT_PREFIX = 'xprov:';
const WORKING_DAYS = 5;
const RULES = {
  medical: 'R11 协议第三十三条：跨省异地就医结算后5个工作日内上传全国系统（3301）',
  rehab: 'R11 康复协议第二十四条：跨省异地康复结算后5个工作日内上传全国系统（3301）',
} as const;
const WAIVED_BY = 'gateway (settlement cancelled)';

/**
 * R11 (协议 31–33; rehab 协议 24): a settlement of a worker insured in another province owes the 3301
 * upload within 5 working days. In the transaction that records the settlement as settled the duty is
 * opened (so it is never missing) and the 3301 is queued in the outbox with everything it needs (the
 * diagnosis, dates and figures of the settlement, the insured place and filing of the 1101 answer
 * behind the MATCH); the outbox retries it for as long as the insurer is away. The insurer's receipt
 * fulfils the duty with evidence {receipt_id, upld_time, warn_msg} (a late upload stays late, the
 * insurer's warning recorded); a refusal is recorded as an attempt with its reason and the duty stays
 * pending for staff. A settlement cancelled by the insurer waives its duty if not yet fulfilled.
 */
@Injectable()
export class CrossProvinceUploadService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CrossProvinceUploadService.name);
  private off: (() => void) | undefined;

  constructor(
    private readonly outcomes: SettlementOutcomeService,
    private readonly outbox: OutboxService,
    private readonly obligations: ObligationsService,
    private readonly pii: PiiCryptoService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.outcomes.onSettledInTransaction((m, record, visit) => this.settled(m, record, visit));
    this.outcomes.onCancelledInTransaction((m, record) => this.cancelled(m, record));
    this.off = this.outbox.onSettled(INFNO.crossProvinceUpload, (m, message, outcome) =>
      this.uploaded(m, message, outcome),
    );
  }

  onApplicationShutdown(): void {
    this.off?.();
  }

  /** A settlement settled: a cross-province worker's opens the duty and queues its 3301. */
  async settled(m: EntityManager, record: SettlementRecord, visit: SettlementVisit | undefined): Promise<void> {
    const worker = JSON.parse(this.pii.decrypt(record.workerEnc, WORKER_PII_CONTEXT)) as StatementWorkerFacts;
    const cross = worker.crossProvince;
    if (!cross || record.setlId === null || record.split === null) {
      return; // insured in Ningxia (or recorded before the filing was kept: nothing to tell)
    }
    const split = JSON.parse(record.split) as InsurerSplit;
    const sent = (JSON.parse(record.message) as SettlementMessage).input as SentSettlement;
    const careType = visit?.careType ?? 'medical';
    const readiness = crossProvinceUploadInput({
      psnNo: record.psnNo,
      setlId: record.setlId,
      crossProvince: cross,
      sent,
      split,
    });
    const detail: Record<string, unknown> = {
      settlementId: record.id,
      setlId: record.setlId,
      visitId: record.mdtrtId,
      careType,
      insuplcAdmdvs: cross.insuplcAdmdvs,
    };
    if (readiness.ready) {
      const [message] = await this.outbox.enqueue(m, [
        {
          infno: INFNO.crossProvinceUpload,
          input: readiness.input,
          subjectKey: `${SUBJECT_PREFIX}${record.id}`,
          insuplcAdmdvs: cross.insuplcAdmdvs,
        },
      ]);
      detail.msgid = message.msgid;
    } else {
      detail.waitingFor = readiness.waitingFor;
      this.logger.warn(`settlement ${record.id}: 3301 cannot be built, waiting for ${readiness.waitingFor.join(', ')}`);
    }
    await this.obligations.open(
      {
        kind: CROSS_PROVINCE_UPLOAD,
        subjectType: 'settlement',
        subjectId: record.id,
        rule: RULES[careType],
        // The insurer counts from its settlement time; the gateway's record of it when the reply had none.
        from: beijingDateTimeToInstant(split.setlTime) ?? record.settledAt ?? this.clock.now(),
        due: { workingDays: WORKING_DAYS },
        detail,
      },
      m,
    );
  }

  /** A settlement cancelled by the insurer: its duty is not owed any more (if not yet fulfilled). */
  async cancelled(m: EntityManager, record: SettlementRecord): Promise<void> {
    await this.obligations.waiveSubject(
      CROSS_PROVINCE_UPLOAD,
      record.id,
      `结算已撤销（${record.setlId ?? '—'}），无需上传`,
      WAIVED_BY,
      m,
    );
  }

  /** The insurer answered a 3301: its receipt fulfils the duty; a refusal is an attempt with its reason. */
  async uploaded(m: EntityManager, message: OutboxMessage, outcome: SettledOutcome): Promise<void> {
    const subject = message.subjectKey ?? '';
    if (!subject.startsWith(SUBJECT_PREFIX)) {
      this.logger.warn(`3301 ${message.msgid} has no settlement subject (${subject}): not an obligation's upload`);
      return;
    }
    const settlementId = subject.slice(SUBJECT_PREFIX.length);
    if (outcome.status === 'rejected') {
      const reason = (outcome.errMsg ?? `infcode ${outcome.infcode}`).slice(0, 1000);
      await this.obligations.recordAttempt(CROSS_PROVINCE_UPLOAD, settlementId, `3301 ${message.msgid}: ${reason}`, m);
      this.logger.warn(`settlement ${settlementId}: the insurer refused its 3301 ${message.msgid}: ${reason}`);
      return;
    }
    const output = (outcome.output ?? {}) as Record<string, unknown>;
    await this.obligations.recordAttempt(CROSS_PROVINCE_UPLOAD, settlementId, null, m);
    const after = await this.obligations.fulfil(
      CROSS_PROVINCE_UPLOAD,
      settlementId,
      {
        receipt_id: output.receipt_id ?? null,
        upld_time: output.upld_time ?? null,
        warn_msg: outcome.warnMsg ?? null,
        msgid: message.msgid,
      },
      m,
    );
    if (outcome.warnMsg) {
      this.logger.warn(`settlement ${settlementId}: 3301 accepted with the insurer's warning: ${outcome.warnMsg}`);
    }
    if (after?.state === 'late') {
      this.logger.warn(`settlement ${settlementId}: 3301 uploaded after its due day ${after.dueOn}`);
    }
  }
}

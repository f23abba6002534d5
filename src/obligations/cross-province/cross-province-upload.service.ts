import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, PiiCryptoService, type Principal, Transactions } from '../../platform';
import type { SettlementMessage } from '../../settlement/rules/settlement-message';
import type { InsurerSplit } from '../../settlement/rules/settlement-reply';
import { type StatementWorkerFacts, WORKER_PII_CONTEXT } from '../../settlement/settle.service';
import type { SettlementRecord, SettlementVisit } from '../../settlement/settlement.entity';
import { SettlementOutcomeService } from '../../settlement/settlement-outcome.service';
import type { OutboxMessage } from '../../upstream/outbox/outbox-message.entity';
import { OutboxService, type SettledOutcome } from '../../upstream/outbox/outbox.service';
import { INFNO } from '../../upstream/protocol/transactions';
import type { Obligation } from '../obligation.entity';
import { ObligationsService } from '../obligations.service';
import { CROSS_PROVINCE_ERRORS } from './cross-province.errors';
import {
  beijingDateTimeToInstant,
  crossProvinceUploadInput,
  type SentSettlement,
  withInvoice,
} from './rules/upload-input';

export const CROSS_PROVINCE_UPLOAD = 'cross-province-upload';
/** The outbox subject of a settlement's 3301: `xprov:<settlement id>` (the obligation's subject). */
const SUBJECT_PREFIX = 'xprov:';
const WORKING_DAYS = 5;
const RULES = {
  medical: 'R11 协议第三十三条：跨省异地就医结算后5个工作日内上传全国系统（3301）',
  rehab: 'R11 康复协议第二十四条：跨省异地康复结算后5个工作日内上传全国系统（3301）',
  device: 'R11 辅助器具协议第二十五条：跨省异地配置结算后5个工作日内上传发票、费用清单（3301）',
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
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
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
      careType,
      invoiceNo: null, // HIS gives a device settlement's invoice afterwards (invoice())
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
      detail.msgid = await this.queue(m, record.id, readiness.input, cross.insuplcAdmdvs);
    } else {
      detail.waitingFor = readiness.waitingFor;
      if (readiness.partial) {
        detail.upload = readiness.partial; // all but the invoice number: completed by invoice()
      }
      this.logger.log(`settlement ${record.id}: 3301 waits for ${readiness.waitingFor.join(', ')}`);
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

  /**
   * HIS gives the invoice number of an assistive-device settlement: its 3301 is completed and queued
   * (in one transaction with the duty's detail). Idempotent for the same number once queued.
   */
  async invoice(principal: Principal, settlementId: string, invoiceNo: string): Promise<Obligation> {
    const number = invoiceNo.trim();
    const { after, queued } = await this.transactions.run(async (m) => {
      const o = await this.obligations.find(CROSS_PROVINCE_UPLOAD, settlementId, m);
      if (!o) {
        throw CROSS_PROVINCE_ERRORS.raise('CROSS_PROVINCE_UPLOAD_NOT_FOUND');
      }
      const detail = o.detail ?? {};
      if (detail.invoiceNo === number && typeof detail.msgid === 'string') {
        return { after: o, queued: false }; // the same call again
      }
      if (o.fulfilledAt !== null || o.state === 'waived') {
        throw CROSS_PROVINCE_ERRORS.raise('CROSS_PROVINCE_UPLOAD_CLOSED');
      }
      const partial = detail.upload;
      if (typeof detail.msgid === 'string' || typeof partial !== 'object' || partial === null) {
        throw CROSS_PROVINCE_ERRORS.raise('CROSS_PROVINCE_UPLOAD_NO_INVOICE');
      }
      const input = withInvoice(partial as Record<string, unknown>, number);
      const msgid = await this.queue(m, settlementId, input, String(input.insuplc_admdvs));
      const waitingFor = Array.isArray(detail.waitingFor)
        ? (detail.waitingFor as unknown[]).filter((w) => w !== 'invoice')
        : [];
      const next: Record<string, unknown> = { ...detail, invoiceNo: number, msgid, waitingFor };
      delete next.upload;
      await this.obligations.setDetail(CROSS_PROVINCE_UPLOAD, settlementId, next, m);
      await this.audit.record(
        {
          actor: principal,
          action: 'obligation.cross-province-upload.invoice',
          outcome: 'success',
          details: { settlementId, msgid, invoiceNo: number },
        },
        m,
      );
      return { after: { ...o, detail: next }, queued: true };
    });
    if (queued) {
      this.outbox.committed();
    }
    return after;
  }

  private async queue(
    m: EntityManager,
    settlementId: string,
    input: Record<string, unknown>,
    insuplcAdmdvs: string,
  ): Promise<string> {
    const [message] = await this.outbox.enqueue(m, [
      { infno: INFNO.crossProvinceUpload, input, subjectKey: `${SUBJECT_PREFIX}${settlementId}`, insuplcAdmdvs },
    ]);
    return message.msgid;
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

import { beijingDay } from '../../calendar/rules/working-days';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, JobRunner, systemPrincipal, Transactions } from '../../platform';
import { SettlementOutcomeService } from '../../settlement/settlement-outcome.service';
import { SettlementReadingService } from '../../settlement/settlement-reading.service';
import { SettlementStatementService } from '../../settlement/settlement-statement.service';
import type { OutboxMessage } from '../../upstream/outbox/outbox-message.entity';
import { OutboxService, type SettledOutcome } from '../../upstream/outbox/outbox.service';
import { INFNO } from '../../upstream/protocol/transactions';
import type { Obligation } from '../obligation.entity';
import { ObligationsService } from '../obligations.service';
import { DOC_NAMES, DOC_TYPES } from './doc-types';
import { FeeListRenderer } from './fee-list/fee-list-renderer';
import type { FeeListData } from './fee-list/fee-list-data';
import type { InpatientDocument, InpatientDocumentSet } from './inpatient-document.entity';
import { InpatientDocumentRepository, settlementSubject } from './inpatient-document.repository';
import { InpatientDocumentsService, subjectOf } from './inpatient-documents.service';

export const INPATIENT_DOCUMENTS_JOB = 'obligations.inpatient-documents';
export const INPATIENT_DOCUMENTS_KIND = 'inpatient-documents';
/** The sweep: every minute (also at start); a settling or a HIS send schedules a run sooner. */
export const DOCUMENTS_SWEEP_MS = 60_000;
const QUIET_MS = 1_000;
/** The first run of a process looks this far back for inpatient settlements whose duty was never opened. */
const CATCH_UP_DAYS = 14;
const CATCH_UP_LIMIT = 1_000;
const BATCH = 20;
/**
 * 协议 23 and the rehab agreement (15, 19) say 定期传输 / 及时上传 and name no deadline: the gateway's
 * own choice is 5 working days after the settlement, as for the cross-province upload (R11).
 */
export const DOCUMENTS_DUE_WORKING_DAYS = 5;
export const DOCUMENTS_RULE =
  'R12 协议23（康复协议15、19）: 5 working days after settlement (the gateway’s choice; no deadline stated)';

/**
 * The duty of an inpatient settlement to send its four medical documents (R12): one obligation per
 * settlement ('inpatient-documents', subject the settlement), opened when the insurer settles it.
 * A run renders the fee list (费用明细清单) and takes the statement (费用结算单) of each settlement
 * still owing, and queues the 9101 upload of every current version not queued yet through the
 * outbox (as forms do: durable, retried, one msgid, asked about after a lost reply — never a
 * second upload of the same version). The outbox completion hook records the insurer's file_id and
 * fulfils the obligation once all four are acknowledged (evidence: the four file_ids and SHA-256s).
 * What it still waits for ("waiting for: 病案首页, 出院小结") or what the insurer refused is the
 * obligation's lastError, recorded as an attempt when it changes.
 */
@Injectable()
export class InpatientDocumentsJob implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InpatientDocumentsJob.name);
  private readonly actor = systemPrincipal('upstream.dispatcher');
  private offSettled: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private caughtUp = false;

  constructor(
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly outcomes: SettlementOutcomeService,
    private readonly settlements: SettlementReadingService,
    private readonly statements: SettlementStatementService,
    private readonly obligations: ObligationsService,
    private readonly documents: InpatientDocumentsService,
    private readonly repository: InpatientDocumentRepository,
    private readonly feeList: FeeListRenderer,
  ) {}

  onModuleInit(): void {
    // Registered before the dispatcher starts (it starts on application bootstrap).
    this.offSettled = this.outbox.onSettled(INFNO.documentUpload, (m, message, outcome) =>
      this.uploaded(m, message, outcome),
    );
  }

  onApplicationBootstrap(): void {
    this.jobs.register({
      name: INPATIENT_DOCUMENTS_JOB,
      intervalMs: DOCUMENTS_SWEEP_MS,
      runAtStart: true,
      run: () => this.run(),
    });
    this.outcomes.onSettlementSettled((id) => {
      this.track(id)
        .then((tracked) => tracked && this.soon())
        .catch((e: unknown) => this.logger.warn({ err: e }, `settlement ${id}: the documents duty was not opened`));
    });
    this.documents.onStored(() => this.soon());
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.offSettled?.();
  }

  /** A run once things are quiet. */
  soon(): void {
    if (this.stopped) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.jobs
        .runNow(INPATIENT_DOCUMENTS_JOB)
        .catch((e: unknown) => this.logger.warn({ err: e }, 'inpatient documents: the run failed'));
    }, QUIET_MS).unref();
  }

  /**
   * A settlement settled: when it is an inpatient one, its documents are owed (the set recorded and
   * the obligation opened, both idempotent). Returns whether it is one.
   */
  async track(settlementId: string): Promise<boolean> {
    const r = await this.settlements.record(settlementId);
    if (r.kind !== 'inpatient' || r.status !== 'settled' || r.setlId === null) {
      return false;
    }
    const settledAt = r.settledAt ?? r.createdAt;
    await this.transactions.run(async (m) => {
      await this.repository.putSet(
        {
          settlementId: r.id,
          mdtrtId: r.mdtrtId,
          psnNo: r.psnNo,
          setlId: r.setlId as string,
          settledOn: beijingDay(settledAt),
          createdAt: this.clock.now(),
        },
        m,
      );
      await this.obligations.open(
        {
          kind: INPATIENT_DOCUMENTS_KIND,
          subjectType: 'settlement',
          subjectId: r.id,
          rule: DOCUMENTS_RULE,
          from: settledAt,
          due: { workingDays: DOCUMENTS_DUE_WORKING_DAYS },
          detail: {
            visitId: r.mdtrtId,
            setlId: r.setlId,
            waitingFor: `waiting for: ${DOC_TYPES.map((t) => DOC_NAMES[t]).join(', ')}`,
          },
        },
        m,
      );
    });
    return true;
  }

  /** One run: each owing settlement (earliest due first) advanced; the run fails when any could not be. Returns the uploads queued. */
  async run(): Promise<number> {
    if (!this.caughtUp) {
      await this.catchUp();
      this.caughtUp = true;
    }
    const failed: string[] = [];
    let queued = 0;
    for (const o of await this.obligations.pending(INPATIENT_DOCUMENTS_KIND, BATCH)) {
      if (this.stopped) {
        break;
      }
      try {
        queued += await this.advance(o.subjectId, o);
      } catch (e) {
        failed.push(o.subjectId);
        this.logger.error(`settlement ${o.subjectId}: its documents could not be advanced: ${(e as Error).message}`);
        await this.obligations
          .recordAttempt(INPATIENT_DOCUMENTS_KIND, o.subjectId, `gateway: ${(e as Error).message}`.slice(0, 500))
          .catch(() => undefined);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (failed.length > 0) {
      throw new Error(`${failed.length} settlement(s)' documents could not be advanced (${failed.join(', ')})`);
    }
    return queued;
  }

  /**
   * The duties a crash kept from opening (the settling committed, the process died before the
   * settled listener ran): every inpatient settlement of the last CATCH_UP_DAYS without its set is
   * tracked now. Returns how many were.
   */
  async catchUp(): Promise<number> {
    const since = new Date(this.clock.now().getTime() - CATCH_UP_DAYS * 86_400_000);
    let opened = 0;
    for (const id of await this.settlements.settledSince('inpatient', since, CATCH_UP_LIMIT)) {
      if (!(await this.repository.set(id)) && (await this.track(id))) {
        opened++;
        this.logger.warn(`settlement ${id}: its documents duty was opened late (found at start)`);
      }
    }
    return opened;
  }

  /**
   * One settlement: waived when it no longer stands (cancelled or refused); else the fee list and
   * statement stored, every current version not queued yet queued, and what it waits for noted.
   * Returns the uploads queued.
   */
  async advance(
    settlementId: string,
    seen: Pick<Obligation, 'lastError' | 'detail'> | undefined = undefined,
  ): Promise<number> {
    const before = seen ?? (await this.obligations.find(INPATIENT_DOCUMENTS_KIND, settlementId));
    const record = await this.settlements.record(settlementId);
    if (record.status === 'cancelled' || record.status === 'rejected') {
      await this.obligations.waiveSubject(
        INPATIENT_DOCUMENTS_KIND,
        settlementId,
        `结算已${record.status === 'cancelled' ? '撤销' : '被拒绝'}，不再需要上传其住院文书`,
        'gateway',
      );
      return 0;
    }
    if (record.status !== 'settled') {
      return 0; // cancelling: wait for the insurer's answer
    }
    let set = await this.repository.set(settlementId);
    if (!set && (await this.track(settlementId))) {
      set = await this.repository.set(settlementId);
    }
    if (!set) {
      return 0;
    }
    await this.ensureGatewayDocuments(set);
    let queued = 0;
    const waiting: string[] = [];
    const refused: string[] = [];
    const current: InpatientDocument[] = [];
    for (const docType of DOC_TYPES) {
      const row = await this.repository.current(subjectOf(set, docType), docType);
      if (!row) {
        waiting.push(DOC_NAMES[docType]);
        continue;
      }
      current.push(row);
      if (row.status === 'stored' && (await this.enqueue(set, row))) {
        queued++;
      } else if (row.status === 'rejected') {
        refused.push(`${DOC_NAMES[docType]} 第${row.version}版被经办机构退回：${row.rejectReason ?? ''}`);
      }
    }
    if (queued > 0) {
      this.outbox.committed();
    }
    if (current.length === DOC_TYPES.length && current.every((r) => r.status === 'acknowledged')) {
      await this.obligations.fulfil(INPATIENT_DOCUMENTS_KIND, settlementId, evidenceOf(current));
      return queued;
    }
    const waitingFor = waiting.length > 0 ? `waiting for: ${waiting.join(', ')}` : null;
    const detail = { ...detailOf(set), waitingFor, documents: documentsOf(current) };
    if (JSON.stringify(detail) !== JSON.stringify(before?.detail ?? null)) {
      await this.obligations.setDetail(INPATIENT_DOCUMENTS_KIND, settlementId, detail);
    }
    const note = [waitingFor ?? '', ...refused].filter(Boolean).join('; ') || null;
    if (queued > 0 || note !== (before?.lastError ?? null)) {
      await this.obligations.recordAttempt(INPATIENT_DOCUMENTS_KIND, settlementId, note?.slice(0, 500) ?? null);
    }
    return queued;
  }

  /** The fee list rendered and the statement taken, each stored once (the same bytes are no new version). */
  private async ensureGatewayDocuments(set: InpatientDocumentSet): Promise<void> {
    const subjectKey = settlementSubject(set.settlementId);
    const base = { subjectKey, mdtrtId: set.mdtrtId, settlementId: set.settlementId, source: 'gateway' as const };
    if (!(await this.repository.current(subjectKey, '05'))) {
      const { statement, feeLines } = await this.statements.settledData(set.settlementId);
      if (statement.visit.kind !== 'inpatient') {
        throw new Error(`settlement ${set.settlementId} is not an inpatient settlement`);
      }
      const data: FeeListData = {
        ...statement,
        visit: statement.visit,
        lines: statement.lines.map((line, i) => ({
          ...line,
          serviceDate: feeLines[i].serviceDate,
          hisItemCode: feeLines[i].hisItemCode,
        })),
      };
      const { pdf } = await this.feeList.render(data);
      await this.documents.store(
        { ...base, docType: '05', fileName: `${DOC_NAMES['05']}-${set.setlId}.pdf`, createdBy: 'gateway' },
        pdf,
      );
    }
    if (!(await this.repository.current(subjectKey, '06'))) {
      const pdf = await this.statements.pdf(set.settlementId);
      await this.documents.store(
        { ...base, docType: '06', fileName: `${DOC_NAMES['06']}-${set.setlId}.pdf`, createdBy: 'gateway' },
        pdf,
      );
    }
  }

  /** Queues the 9101 upload of one stored version (one visit's documents reach the insurer in order). */
  private async enqueue(set: InpatientDocumentSet, row: InpatientDocument): Promise<boolean> {
    return this.transactions.run(async (m) => {
      const [message] = await this.outbox.enqueue(m, [
        {
          infno: INFNO.documentUpload,
          subjectKey: `documents:${row.mdtrtId}`,
          input: {
            file_name: `${DOC_NAMES[row.docType]}-${row.mdtrtId}-v${row.version}.pdf`,
            file_type: 'pdf',
            sha256: row.sha256,
            content_base64: row.pdfBase64,
            doc_type: row.docType,
            psn_no: set.psnNo,
            mdtrt_id: set.mdtrtId,
          },
        },
      ]);
      if (!(await this.repository.markQueued(row.id, message.id, m))) {
        throw new Error(`document ${row.id} was queued by another run`); // rolls the message back
      }
      return true;
    });
  }

  /**
   * In the dispatcher's settling transaction: the insurer's answer to one of our 9101 messages
   * (another capability's — forms — is left alone), then every settlement the document serves
   * fulfilled once its four are acknowledged, or told of the refusal.
   */
  async uploaded(m: EntityManager, message: OutboxMessage, outcome: SettledOutcome): Promise<void> {
    const row = await this.repository.byOutboxMessage(message.id, m);
    if (!row) {
      return;
    }
    const now = this.clock.now();
    const fileId = (outcome.output as { file_id?: unknown } | null)?.file_id;
    const delivered = outcome.status === 'delivered';
    const reason = (outcome.errMsg ?? `infcode ${outcome.infcode}`).slice(0, 500);
    const settled = await this.repository.settle(
      row.id,
      delivered
        ? { status: 'acknowledged', fileId: typeof fileId === 'string' ? fileId.slice(0, 40) : null, uploadedAt: now }
        : { status: 'rejected', rejectReason: reason, uploadedAt: now },
      m,
    );
    if (!settled) {
      return;
    }
    await this.audit.record(
      {
        actor: this.actor,
        action: 'obligations.documents.upload',
        outcome: delivered ? 'success' : 'failure',
        details: {
          documentId: row.id,
          docType: row.docType,
          visitId: row.mdtrtId,
          version: row.version,
          msgid: message.msgid,
          infcode: outcome.infcode,
          fileId: typeof fileId === 'string' ? fileId : null,
        },
      },
      m,
    );
    const sets = row.settlementId
      ? [await this.repository.set(row.settlementId, m)].filter((s): s is InpatientDocumentSet => s !== null)
      : await this.repository.setsOfVisit(row.mdtrtId, m);
    for (const set of sets) {
      const o = await this.obligations.find(INPATIENT_DOCUMENTS_KIND, set.settlementId, m);
      if (!o || o.fulfilledAt !== null || o.state === 'waived') {
        continue;
      }
      if (!delivered) {
        await this.obligations.recordAttempt(
          INPATIENT_DOCUMENTS_KIND,
          set.settlementId,
          `${DOC_NAMES[row.docType]} 第${row.version}版被经办机构退回：${reason}`.slice(0, 500),
          m,
        );
        continue;
      }
      const current: InpatientDocument[] = [];
      for (const t of DOC_TYPES) {
        const r = await this.repository.current(subjectOf(set, t), t, m);
        if (r) {
          current.push(r);
        }
      }
      if (current.length === DOC_TYPES.length && current.every((r) => r.status === 'acknowledged')) {
        await this.obligations.fulfil(INPATIENT_DOCUMENTS_KIND, set.settlementId, evidenceOf(current), m);
      } else {
        await this.obligations.setDetail(
          INPATIENT_DOCUMENTS_KIND,
          set.settlementId,
          { ...(o.detail ?? {}), documents: documentsOf(current) },
          m,
        );
      }
    }
  }
}

/** What the obligation shows of its subject. */
function detailOf(set: InpatientDocumentSet): Record<string, unknown> {
  return { visitId: set.mdtrtId, setlId: set.setlId };
}

/** Each current document's state, as the obligation's detail shows it. */
function documentsOf(rows: InpatientDocument[]): Record<string, unknown>[] {
  return rows.map((r) => ({ docType: r.docType, name: DOC_NAMES[r.docType], version: r.version, status: r.status }));
}

/** The evidence of a fulfilled duty: each document's file_id, SHA-256, size and version. */
function evidenceOf(rows: InpatientDocument[]): Record<string, unknown> {
  return {
    documents: rows.map((r) => ({
      docType: r.docType,
      name: DOC_NAMES[r.docType],
      version: r.version,
      fileId: r.fileId,
      sha256: r.sha256,
      size: r.size,
    })),
  };
}

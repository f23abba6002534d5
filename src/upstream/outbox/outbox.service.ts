import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService, Clock, GatewayConfig, type Principal, Transactions, uuidv7 } from '../../platform';
import { INTERFACE_VERSION, OperatorType, RequestEnvelope, SIGN_TYPE, Unsigned } from '../protocol/envelope';
import { beijingDateTime, beijingTimestamp } from '../protocol/msgid';
import { RECORD_INFNOS } from '../protocol/transactions';
import { UPSTREAM_ERRORS } from '../upstream.errors';
import { MsgidAllocator } from './msgid-allocator';
import { MsgidSequenceRepository } from './msgid-sequence.repository';
import { OutboxAttempt } from './outbox-attempt.entity';
import { OutboxMessage, OutboxStatus } from './outbox-message.entity';
import { OutboxListFilter, OutboxMessageRepository, type OutboxMessageSummary } from './outbox-message.repository';

export interface OutboxItem {
  infno: string;
  input: unknown;
  /** Messages with the same key are delivered in order (a reversal after its settlement). */
  subjectKey?: string;
  /** 参保地 of the person; the hospital's region when omitted. */
  insuplcAdmdvs?: string;
  operator?: { type: OperatorType; id: string; name: string };
}

/** Where a message stands: for a capability that shows its own record's delivery. */
export interface MessageProgress {
  msgid: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  /** Sent, and the insurer's answer is not known (unknown, or being asked about by msgid): it may have arrived. */
  awaitingAnswer: boolean;
}

/** How a message ended, as the dispatcher saw it in the insurer's verified reply. */
export interface SettledOutcome {
  status: 'delivered' | 'rejected';
  infcode: number;
  /** The reply's output, decoded by the protocol profile (our field names); null when none. */
  output: unknown;
  /** The insurer's reason when rejected. */
  errMsg: string | null;
  /** The insurer's warning on a success (e.g. 3301 uploaded late); null or absent when none. */
  warnMsg?: string | null;
}

/**
 * Told when a message of its transaction code settles. Runs inside the transaction of the
 * dispatcher's claim-guarded final update, with that transaction's `manager`: the capability's
 * own change commits together with "delivered/rejected", or not at all.
 */
export type SettledHandler = (manager: EntityManager, message: OutboxMessage, outcome: SettledOutcome) => Promise<void>;

/**
 * The durable queue of messages that must reach the insurer. Callers enqueue inside their own
 * transaction, so the business record and the message commit or roll back together; the
 * dispatcher does the sending.
 */
@Injectable()
export class OutboxService {
  /** Filled by the dispatcher's sign-in (9001); empty until then. */
  signNo = '';
  private readonly settledHandlers = new Map<string, SettledHandler[]>();
  private readonly queuedListeners = new Set<() => void>();

  constructor(
    private readonly transactions: Transactions,
    private readonly messages: OutboxMessageRepository,
    private readonly sequences: MsgidSequenceRepository,
    private readonly msgids: MsgidAllocator,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Writes the messages with `manager` (the caller's transaction). Returns them with their msgids. */
  async enqueue(manager: EntityManager, items: OutboxItem[]): Promise<OutboxMessage[]> {
    if (items.length === 0) {
      return [];
    }
    const now = this.clock.now();
    const msgids = await this.msgids.allocate(manager, this.config.hospital.fixmedinsCode, now, items.length);
    return this.messages.add(
      manager,
      items.map((item, i) => ({
        id: uuidv7(),
        msgid: msgids[i],
        infno: item.infno,
        subjectKey: item.subjectKey ?? null,
        status: 'pending',
        draft: JSON.stringify(this.draft(item, msgids[i], now)),
        envelope: null,
        attempts: 0,
        nextAttemptAt: now,
        claimedBy: null,
        leaseUntil: null,
        queryFirst: false,
        infcode: null,
        reply: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
        finishedAt: null,
        cancelReason: null,
      })),
    );
  }

  /**
   * Registers `handler` for the messages of `infno` (our code): the completion hook through which a
   * capability learns that its message was delivered or rejected. Exactly once per message: the
   * handler runs in the same transaction as the update that settles the message, and that update is
   * conditional on the dispatcher still holding its claim, so a second instance or a restart never
   * runs it again. If the handler throws, the whole final update rolls back: the message stays
   * `sending` until its lease runs out, is then claimed again as query-first, asked about by msgid
   * (9201, no resend) and settled — and the handler runs again. A handler must therefore not fail
   * for a reason that will never go away (log and return instead). Returns the unregistration.
   */
  onSettled(infno: string, handler: SettledHandler): () => void {
    const list = this.settledHandlers.get(infno) ?? [];
    list.push(handler);
    this.settledHandlers.set(infno, list);
    return () => {
      const current = this.settledHandlers.get(infno) ?? [];
      this.settledHandlers.set(
        infno,
        current.filter((h) => h !== handler),
      );
    };
  }

  /** Called by the dispatcher inside its final transaction; see onSettled. */
  async runSettledHandlers(manager: EntityManager, message: OutboxMessage, outcome: SettledOutcome): Promise<void> {
    for (const handler of this.settledHandlers.get(message.infno) ?? []) {
      await handler(manager, message, outcome);
    }
  }

  /** Enqueue in a transaction of its own (for callers without a business record). */
  async enqueueNow(items: OutboxItem[]): Promise<OutboxMessage[]> {
    const queued = await this.transactions.run((manager) => this.enqueue(manager, items));
    this.committed();
    return queued;
  }

  /**
   * Tells this process's dispatcher that messages were committed to the outbox, so it sends them now
   * instead of at its next poll. Call it after the transaction that enqueued them has committed
   * (enqueueNow does); a dispatcher in another instance finds them at its next poll.
   */
  committed(): void {
    this.queuedListeners.forEach((listener) => listener());
  }

  /** Called on committed(); returns the unsubscribe. */
  onCommitted(listener: () => void): () => void {
    this.queuedListeners.add(listener);
    return () => this.queuedListeners.delete(listener);
  }

  /**
   * An envelope with its own msgid that is sent at once instead of being queued: a query by
   * msgid asks about a queued message and is worth nothing once that message is settled.
   */
  async detachedDraft(item: OutboxItem): Promise<Unsigned<RequestEnvelope>> {
    const now = this.clock.now();
    const [msgid] = await this.transactions.run((manager) =>
      this.msgids.allocate(manager, this.config.hospital.fixmedinsCode, now, 1),
    );
    return this.draft(item, msgid, now);
  }

  private draft(item: OutboxItem, msgid: string, now: Date): Unsigned<RequestEnvelope> {
    const { hospital, upstream } = this.config;
    return {
      infno: item.infno,
      msgid,
      mdtrtarea_admvs: hospital.admdvs,
      insuplc_admdvs: item.insuplcAdmdvs ?? hospital.admdvs,
      recer_sys_code: upstream.recerSysCode,
      dev_no: '',
      dev_safe_info: '',
      cainfo: '',
      signtype: SIGN_TYPE,
      infver: INTERFACE_VERSION,
      opter_type: item.operator?.type ?? '1',
      opter: item.operator?.id ?? 'gateway',
      opter_name: item.operator?.name ?? '网关',
      inf_time: beijingDateTime(now),
      fixmedins_code: hospital.fixmedinsCode,
      fixmedins_name: hospital.name,
      sign_no: this.signNo,
      input: item.input,
    };
  }

  async get(idOrMsgid: string): Promise<{ message: OutboxMessage; attempts: OutboxAttempt[] }> {
    const message = await this.messages.findByIdOrMsgid(idOrMsgid);
    if (!message) {
      throw UPSTREAM_ERRORS.raise('OUTBOX_MESSAGE_NOT_FOUND', { message: `报文 ${idOrMsgid} 不存在` });
    }
    const attempts = await this.messages.attemptsOf(message.id);
    return { message, attempts };
  }

  /** Newest first; `before` pages backwards by id. Bodies are left out. */
  async list(filter: OutboxListFilter): Promise<OutboxMessageSummary[]> {
    return this.messages.list(filter);
  }

  /** Where some messages stand (for a capability showing its own records' delivery), by id; bodies are left out. */
  async progress(ids: readonly string[]): Promise<Map<string, MessageProgress>> {
    if (ids.length === 0) {
      return new Map();
    }
    const rows = await this.messages.progressOf(ids);
    return new Map(
      rows.map((m) => [
        m.id,
        {
          msgid: m.msgid,
          status: m.status,
          attempts: m.attempts,
          lastError: m.lastError,
          nextAttemptAt: m.nextAttemptAt,
          awaitingAnswer: m.status === 'unknown' || (m.status === 'sending' && m.queryFirst),
        },
      ]),
    );
  }

  async countByStatus(): Promise<Record<OutboxStatus, number>> {
    return this.messages.countByStatus();
  }

  /** Withdraws a message that has not been delivered. Audited. */
  async cancel(idOrMsgid: string, reason: string, by: Pick<Principal, 'type' | 'id'>): Promise<OutboxMessage> {
    const { message } = await this.get(idOrMsgid);
    if (message.status !== 'pending') {
      // unknown/sending may already have arrived: cancelling would lie about what the insurer holds.
      throw UPSTREAM_ERRORS.raise('OUTBOX_NOT_CANCELLABLE', {
        message: `报文状态为 ${message.status}，只有待发送（pending）的报文可以撤销`,
      });
    }
    const now = this.clock.now();
    await this.transactions.run(async (manager) => {
      if (!(await this.messages.cancelPending(manager, message.id, reason.slice(0, 200), now))) {
        throw UPSTREAM_ERRORS.raise('OUTBOX_NOT_CANCELLABLE', { message: '报文刚被发送，无法撤销' });
      }
      await this.audit.record(
        {
          actor: by,
          action: 'outbox.cancel',
          outcome: 'success',
          details: { msgid: message.msgid, infno: message.infno, reason },
        },
        manager,
      );
    });
    return { ...message, status: 'cancelled', cancelReason: reason, finishedAt: now };
  }

  /**
   * Sends a rejected message again, after its cause was fixed, as a new message: the insurer
   * keeps its answer per msgid, so the same msgid would only fetch the same rejection. Audited.
   */
  async rerun(idOrMsgid: string, by: Pick<Principal, 'type' | 'id'>): Promise<OutboxMessage> {
    const { message } = await this.get(idOrMsgid);
    if (message.status !== 'rejected' || !message.draft) {
      throw UPSTREAM_ERRORS.raise('OUTBOX_NOT_RERUNNABLE', {
        message: `报文状态为 ${message.status}，只有被拒绝（rejected）的报文可以重发`,
      });
    }
    const draft = JSON.parse(message.draft) as Unsigned<RequestEnvelope>;
    return this.transactions.run(async (manager) => {
      const [copy] = await this.enqueue(manager, [
        {
          infno: message.infno,
          input: draft.input,
          subjectKey: message.subjectKey ?? undefined,
          insuplcAdmdvs: draft.insuplc_admdvs,
          operator: { type: draft.opter_type, id: draft.opter, name: draft.opter_name },
        },
      ]);
      await this.audit.record(
        {
          actor: by,
          action: 'outbox.rerun',
          outcome: 'success',
          details: { msgid: message.msgid, newMsgid: copy.msgid, infno: message.infno },
        },
        manager,
      );
      return copy;
    });
  }

  /**
   * Retention: delivered messages older than `days` lose their bodies (draft, signed request,
   * reply); msgid, status, times and attempts stay. Business records (RECORD_INFNOS: settlements,
   * cancellations, 冲正, registrations, fee uploads, declarations) keep their bodies. Old msgid
   * sequence rows go too. Safe to run on every instance at once.
   */
  async prune(days: number): Promise<{ bodiesPruned: number }> {
    if (days <= 0) {
      return { bodiesPruned: 0 };
    }
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    const bodiesPruned = await this.messages.pruneDeliveredBodies(cutoff, [...RECORD_INFNOS]);
    // Sequences of seconds long past can never be drawn from again.
    await this.sequences.pruneBefore(beijingTimestamp(new Date(now.getTime() - 2 * 86_400_000)));
    return { bodiesPruned };
  }

  async findByIds(ids: string[]): Promise<OutboxMessage[]> {
    return this.messages.findByIds(ids);
  }
}

import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { beijingDay } from '../calendar/rules/working-days';
import { AuditService, Clock, type Principal, SYSTEM_PRINCIPAL, Transactions, uuidv7 } from '../platform';
import type { Obligation, ObligationKind, ObligationParty, ObligationSubject } from './obligation.entity';
import { type ObligationCount, type ObligationFilter, ObligationRepository } from './obligation.repository';
import { OBLIGATION_ERRORS } from './obligations.errors';
import { dueDate, type DueRule } from './rules/due-date';

export interface OpenObligation {
  readonly kind: ObligationKind;
  readonly subjectType: ObligationSubject;
  readonly subjectId: string;
  /** Default: the hospital. */
  readonly owedBy?: ObligationParty;
  /** The rule and its arithmetic, shown to staff (e.g. 'R11 协议31–33: 5 working days after settlement'). */
  readonly rule: string;
  /** The event the deadline counts from (e.g. the settlement's time). */
  readonly from: Date;
  readonly due: DueRule;
  readonly detail?: Record<string, unknown>;
}

/**
 * The one model of a duty with a due date (docs/obligations.md). The capabilities that carry the
 * duties open them (idempotently, on their subject), record their attempts and fulfil them with
 * the insurer's receipt; staff waive them with a reason; ObligationsJob marks those whose day passed
 * late. Every method takes an optional EntityManager so a duty can be opened in the same
 * transaction as the event that causes it (then it can never be missing).
 */
@Injectable()
export class ObligationsService {
  private readonly logger = new Logger(ObligationsService.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly repository: ObligationRepository,
    private readonly calendar: CalendarService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Opens the duty; if (kind, subject) already has one, returns that one unchanged. */
  async open(o: OpenObligation, m?: EntityManager): Promise<Obligation> {
    const due = dueDate(this.calendar.calendar, o.from, o.due);
    const now = this.clock.now();
    const row: Obligation = {
      id: uuidv7(now.getTime()),
      kind: o.kind,
      subjectType: o.subjectType,
      subjectId: o.subjectId,
      owedBy: o.owedBy ?? 'hospital',
      rule: o.rule.slice(0, 200),
      dueOn: due.date,
      dueConfirmed: due.confirmed,
      // A duty opened after its day (a sweep that found it late) is late from the start.
      state: beijingDay(now) > due.date ? 'late' : 'open',
      openedAt: now,
      attempts: 0,
      lastAttemptAt: null,
      lastError: null,
      fulfilledAt: null,
      evidence: null,
      detail: o.detail ?? null,
      waivedReason: null,
      waivedBy: null,
      waivedAt: null,
    };
    const manager = m ?? this.transactions.reader;
    if (await this.repository.insert(manager, row)) {
      if (!due.confirmed) {
        this.logger.warn(
          `obligation ${o.kind} ${o.subjectId}: due ${due.date} counted Monday–Friday (the calendar does not know the year: docs/calendar.md) — unconfirmed`,
        );
      }
      return row;
    }
    return (await this.repository.bySubject(manager, o.kind, o.subjectId)) as Obligation;
  }

  find(kind: ObligationKind, subjectId: string, m?: EntityManager): Promise<Obligation | undefined> {
    return this.repository.bySubject(m ?? this.transactions.reader, kind, subjectId);
  }

  get(id: string): Promise<Obligation | undefined> {
    return this.repository.byId(this.transactions.reader, id);
  }

  /** One more attempt (an upload sent, a query made); `error` null when it went through. */
  async recordAttempt(kind: ObligationKind, subjectId: string, error: string | null, m?: EntityManager): Promise<void> {
    await this.repository.recordAttempt(m ?? this.transactions.reader, kind, subjectId, error, this.clock.now());
  }

  /** What the duty is waiting for or needs (kind-specific); only while it is pending. */
  async setDetail(
    kind: ObligationKind,
    subjectId: string,
    detail: Record<string, unknown>,
    m?: EntityManager,
  ): Promise<void> {
    await this.repository.setDetail(m ?? this.transactions.reader, kind, subjectId, detail);
  }

  /**
   * Done, with the evidence (the insurer's receipt). Open → done; fulfilled after its day → late
   * (with fulfilledAt). Already fulfilled or waived: unchanged. Answers the duty as it now is.
   */
  async fulfil(
    kind: ObligationKind,
    subjectId: string,
    evidence: Record<string, unknown>,
    m?: EntityManager,
  ): Promise<Obligation | undefined> {
    const manager = m ?? this.transactions.reader;
    await this.repository.fulfil(manager, kind, subjectId, evidence, this.clock.now());
    return this.repository.bySubject(manager, kind, subjectId);
  }

  /** Staff: not owed (with the reason); audited. 404 unknown, 409 already fulfilled or waived. */
  async waive(id: string, reason: string, by: string, principal?: Principal): Promise<Obligation> {
    return this.transactions.run(async (m) => {
      const o = await this.repository.byId(m, id);
      if (!o) {
        throw OBLIGATION_ERRORS.raise('OBLIGATION_NOT_FOUND');
      }
      if (!(await this.repository.waive(m, id, reason, by, this.clock.now()))) {
        throw OBLIGATION_ERRORS.raise('OBLIGATION_CLOSED');
      }
      await this.audit.record(
        {
          actor: principal ?? SYSTEM_PRINCIPAL,
          action: 'obligation.waived',
          outcome: 'success',
          details: { obligationId: id, kind: o.kind, subjectId: o.subjectId, dueOn: o.dueOn, by, reason },
        },
        m,
      );
      return (await this.repository.byId(m, id)) as Obligation;
    });
  }

  /**
   * The gateway's own waiver when a duty's subject went away (a cancelled settlement): only if it
   * is still pending; audited as the system. Answers the duty, or undefined when there is none.
   */
  async waiveSubject(
    kind: ObligationKind,
    subjectId: string,
    reason: string,
    by: string,
    m?: EntityManager,
  ): Promise<Obligation | undefined> {
    const manager = m ?? this.transactions.reader;
    const o = await this.repository.bySubject(manager, kind, subjectId);
    if (!o) {
      return undefined;
    }
    if (await this.repository.waive(manager, o.id, reason, by, this.clock.now())) {
      await this.audit.record(
        {
          actor: SYSTEM_PRINCIPAL,
          action: 'obligation.waived',
          outcome: 'success',
          details: { obligationId: o.id, kind, subjectId, dueOn: o.dueOn, by, reason },
        },
        manager,
      );
    }
    return this.repository.bySubject(manager, kind, subjectId);
  }

  /** Neither fulfilled nor waived, earliest due first. */
  pending(kind: ObligationKind, limit: number, m?: EntityManager): Promise<Obligation[]> {
    return this.repository.pending(m ?? this.transactions.reader, kind, limit);
  }

  list(filter: ObligationFilter): Promise<Obligation[]> {
    return this.repository.list(this.transactions.reader, filter);
  }

  /** Open duties whose day has passed become late; answers those that did. */
  async markLate(): Promise<Obligation[]> {
    const late = await this.transactions.run((m) => this.repository.markLate(m, this.today()));
    for (const o of late) {
      this.logger.warn(
        `obligation late: ${o.kind} ${o.subjectType} ${o.subjectId} was due ${o.dueOn} (${o.rule}) — owed by the ${o.owedBy}`,
      );
    }
    return late;
  }

  counts(): Promise<ObligationCount[]> {
    return this.repository.counts(this.transactions.reader, this.today());
  }

  /** Today's Beijing day. */
  today(): string {
    return beijingDay(this.clock.now());
  }
}

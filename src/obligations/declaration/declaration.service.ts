import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, type Principal, systemPrincipal, Transactions } from '../../platform';
import { beijingDay } from '../../calendar/rules/working-days';
import { fenToWire, wireToFen } from '../../settlement/rules/wire-money';
import type { OutboxMessage } from '../../upstream/outbox/outbox-message.entity';
import { OutboxService, type SettledOutcome } from '../../upstream/outbox/outbox.service';
import { INFNO } from '../../upstream/protocol/transactions';
import { ObligationsService } from '../obligations.service';
import type { DeclarationRow, DeclarationState } from './declaration.entity';
import { DECLARATION_ERRORS } from './declaration.errors';
import { DeclarationRepository } from './declaration.repository';
import { type Figures, figuresOf, inForceLocally, monthDays, nextMonth, unresolved } from './rules/settlement-figures';
import { SettlementFiguresRepository } from './settlement-figures.repository';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const SUBJECT_PREFIX = 'declaration:';
export const DECLARATION_RULE = 'R13 协议 29 / 器具协议 20: 上月结算费用于本月月底前申报';

/** One 3401 sent for a month, and what became of it. */
export interface DeclarationSubmission {
  msgid: string;
  resubmit: boolean;
  at: string;
  by: string;
  setlCnt: number;
  medfeeFen: number;
  fundFen: number;
  psnFen: number;
  offlineFlag: boolean;
  /** sent: no answer yet; accepted / refused: the insurer's answer. */
  outcome: 'sent' | 'accepted' | 'refused';
  receiptId?: string;
  consistent?: boolean;
  errMsg?: string;
}

/** A declared figure the insurer's records do not match. */
export interface FigureDifference {
  field: 'setl_cnt' | 'medfee_sumamt' | 'fund_pay_sumamt';
  declared: number;
  insurer: number;
}

/** A settlement of the month whose outcome at the insurer is not known: resolve before declaring. */
export interface UnresolvedSettlement {
  settlementId: string;
  mdtrtId: string;
  status: string;
  msgid: string;
}

interface DeclarationOutput {
  receipt_id?: unknown;
  consistent?: unknown;
  insurer_setl_cnt?: unknown;
  insurer_medfee_sumamt?: unknown;
  insurer_fund_pay_sumamt?: unknown;
}

/**
 * The monthly declaration (每月申报, R13, 协议 29): a draft of a finished month from the gateway's own
 * settlements in force (reversed and cancelled ones left out), staff submit it (or
 * `settlement.declaration.autoSubmit`), 3401 goes through the outbox (it is a record), and the
 * insurer's answer — receipt, `consistent`, its figures — is stored with the differences. A month
 * with settlements made while the insurer was away (临时结算) is declared with `offline_flag`.
 * Resubmission recomputes the figures and sends 3401 with `resubmit`. The duty
 * (`monthly-declaration`, subject the month) is fulfilled by the insurer's receipt.
 */
@Injectable()
export class DeclarationService implements OnModuleInit {
  private readonly logger = new Logger(DeclarationService.name);
  private readonly actor = systemPrincipal('upstream.dispatcher');

  constructor(
    private readonly transactions: Transactions,
    private readonly figures: SettlementFiguresRepository,
    private readonly repository: DeclarationRepository,
    private readonly outbox: OutboxService,
    private readonly obligations: ObligationsService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.outbox.onSettled(INFNO.monthlyDeclaration, (m, message, outcome) => this.answered(m, message, outcome));
  }

  async list(limit: number, state?: DeclarationState): Promise<DeclarationRow[]> {
    return this.repository.list(this.transactions.reader, limit, state);
  }

  /** The month's declaration, if it has one. */
  async find(month: string): Promise<DeclarationRow | undefined> {
    return this.repository.find(this.transactions.reader, month);
  }

  async get(month: string): Promise<DeclarationRow> {
    this.checkMonth(month);
    const row = await this.repository.find(this.transactions.reader, month);
    if (!row) {
      throw DECLARATION_ERRORS.raise('DECLARATION_NOT_FOUND');
    }
    return row;
  }

  /**
   * Makes the month's draft, or remakes it from the settlements as they are now (a draft or a refused
   * first declaration). Opens the month's duty. A declaration in flight or accepted is not redrafted
   * (409: wait for the answer / resubmit).
   */
  async draft(month: string, by: Principal): Promise<DeclarationRow> {
    this.checkMonth(month);
    const computed = await this.compute(month);
    return this.transactions.run(async (m) => {
      const now = this.clock.now();
      await this.openDuty(m, month, now);
      const existing = await this.repository.find(m, month);
      if (!existing) {
        const row: DeclarationRow = {
          month,
          state: 'draft',
          ...computed,
          draftedAt: now,
          draftedBy: `${by.type}:${by.id}`,
          submissions: '[]',
          receiptId: null,
          consistent: null,
          insurerSetlCnt: null,
          insurerMedfeeFen: null,
          insurerFundFen: null,
          differences: '[]',
          lastError: null,
          updatedAt: now,
        };
        if (!(await this.repository.insert(m, row))) {
          throw DECLARATION_ERRORS.raise('DECLARATION_IN_FLIGHT');
        }
        await this.audited(m, by, month, 'draft', computed);
        return row;
      }
      this.refuseIfBusy(existing, false);
      const change = {
        ...computed,
        state: 'draft' as const,
        draftedAt: now,
        draftedBy: `${by.type}:${by.id}`,
        updatedAt: now,
      };
      if (!(await this.repository.update(m, month, ['draft', 'refused'], change))) {
        throw DECLARATION_ERRORS.raise('DECLARATION_IN_FLIGHT');
      }
      await this.audited(m, by, month, 'redraft', computed);
      return { ...existing, ...change };
    });
  }

  /** Sends the month's draft as it stands (first declaration): 3401 through the outbox. */
  async submit(month: string, by: Principal): Promise<DeclarationRow> {
    const row = await this.get(month);
    this.refuseIfBusy(row, false);
    const sent = await this.transactions.run((m) =>
      this.send(m, row, ['draft', 'refused'], figuresOfRow(row), row.offlineFlag, false, by),
    );
    this.outbox.committed(); // the dispatcher sends it now, not at its next poll
    return sent;
  }

  /** Corrects an accepted declaration: the figures are made again from the settlements now, sent with `resubmit`. */
  async resubmit(month: string, by: Principal): Promise<DeclarationRow> {
    const row = await this.get(month);
    this.refuseIfBusy(row, true);
    const computed = await this.compute(month);
    const sent = await this.transactions.run(async (m) => {
      const now = this.clock.now();
      const refreshed = { ...row, ...computed, draftedAt: now, draftedBy: `${by.type}:${by.id}` };
      return this.send(m, refreshed, ['accepted', 'refused'], figuresOfDraft(computed), computed.offlineFlag, true, by);
    });
    this.outbox.committed();
    return sent;
  }

  /** Whether the gateway has any settlement (whatever its status) dated in the month. */
  async settledAnything(month: string): Promise<boolean> {
    const { from, to } = monthDays(month);
    return (await this.figures.inPeriod(this.transactions.reader, from, to)).length > 0;
  }

  /** Draft figures of a month from the settlements: in force, offline_flag, the unresolved ones. */
  private async compute(
    month: string,
  ): Promise<Pick<DeclarationRow, 'setlCnt' | 'medfeeFen' | 'fundFen' | 'psnFen' | 'offlineFlag' | 'unresolved'>> {
    const { from, to } = monthDays(month);
    const local = await this.figures.inPeriod(this.transactions.reader, from, to);
    const f = figuresOf(local.filter(inForceLocally));
    const open: UnresolvedSettlement[] = local
      .filter(unresolved)
      .map((s) => ({ settlementId: s.settlementId, mdtrtId: s.mdtrtId, status: s.status, msgid: s.msgid }));
    return {
      setlCnt: f.count,
      medfeeFen: f.totalFen,
      fundFen: f.fundFen,
      psnFen: f.selfPayFen,
      offlineFlag: local.some((s) => s.provisional),
      unresolved: JSON.stringify(open),
    };
  }

  private async send(
    m: EntityManager,
    row: DeclarationRow,
    from: DeclarationState[],
    f: Figures,
    offlineFlag: boolean,
    resubmit: boolean,
    by: Principal,
  ): Promise<DeclarationRow> {
    const now = this.clock.now();
    const [message] = await this.outbox.enqueue(m, [
      {
        infno: INFNO.monthlyDeclaration,
        subjectKey: `${SUBJECT_PREFIX}${row.month}`,
        input: {
          decl_ym: row.month,
          setl_cnt: f.count,
          medfee_sumamt: fenToWire(f.totalFen),
          fund_pay_sumamt: fenToWire(f.fundFen),
          psn_pay_sumamt: fenToWire(f.selfPayFen),
          offline_flag: offlineFlag,
          resubmit,
        },
      },
    ]);
    const submission: DeclarationSubmission = {
      msgid: message.msgid,
      resubmit,
      at: now.toISOString(),
      by: `${by.type}:${by.id}`,
      setlCnt: f.count,
      medfeeFen: f.totalFen,
      fundFen: f.fundFen,
      psnFen: f.selfPayFen,
      offlineFlag,
      outcome: 'sent',
    };
    const change: Partial<DeclarationRow> = {
      state: 'submitted',
      setlCnt: f.count,
      medfeeFen: f.totalFen,
      fundFen: f.fundFen,
      psnFen: f.selfPayFen,
      offlineFlag,
      unresolved: row.unresolved,
      draftedAt: row.draftedAt,
      draftedBy: row.draftedBy,
      submissions: JSON.stringify([...submissions(row), submission]),
      lastError: null,
      updatedAt: now,
    };
    if (!(await this.repository.update(m, row.month, from, change))) {
      // Someone else submitted meanwhile: the enqueued message rolls back with this transaction.
      throw DECLARATION_ERRORS.raise('DECLARATION_IN_FLIGHT');
    }
    await this.openDuty(m, row.month, now);
    await this.audited(m, by, row.month, resubmit ? 'resubmit' : 'submit', { msgid: message.msgid, offlineFlag });
    return { ...row, ...change };
  }

  /** The outbox completion hook of 3401 (in the dispatcher's final transaction). */
  private async answered(m: EntityManager, message: OutboxMessage, outcome: SettledOutcome): Promise<void> {
    const month = message.subjectKey?.startsWith(SUBJECT_PREFIX)
      ? message.subjectKey.slice(SUBJECT_PREFIX.length)
      : null;
    const row = month ? await this.repository.find(m, month) : undefined;
    if (!month || !row) {
      this.logger.warn({ msgid: message.msgid }, `3401 ${message.msgid} settled with no declaration to record it on`);
      return;
    }
    const now = this.clock.now();
    const list = submissions(row);
    const mine = list.find((s) => s.msgid === message.msgid);
    if (outcome.status === 'rejected') {
      if (mine) {
        Object.assign(mine, { outcome: 'refused', errMsg: outcome.errMsg ?? `infcode ${outcome.infcode}` });
      }
      await this.repository.update(m, month, ['submitted'], {
        state: 'refused',
        submissions: JSON.stringify(list),
        lastError: outcome.errMsg ?? `infcode ${outcome.infcode}`,
        updatedAt: now,
      });
      await this.obligations.recordAttempt(
        'monthly-declaration',
        month,
        outcome.errMsg ?? `infcode ${outcome.infcode}`,
        m,
      );
      await this.audited(m, this.actor, month, 'refused', { msgid: message.msgid, errMsg: outcome.errMsg });
      return;
    }
    const answer = readAnswer(outcome.output);
    if (!answer) {
      this.logger.warn({ msgid: message.msgid }, `3401 ${message.msgid} was accepted with an unreadable answer`);
    }
    const declared = mine ?? { setlCnt: row.setlCnt, medfeeFen: row.medfeeFen, fundFen: row.fundFen };
    const differences: FigureDifference[] = answer
      ? [
          { field: 'setl_cnt' as const, declared: declared.setlCnt, insurer: answer.setlCnt },
          { field: 'medfee_sumamt' as const, declared: declared.medfeeFen, insurer: answer.medfeeFen },
          { field: 'fund_pay_sumamt' as const, declared: declared.fundFen, insurer: answer.fundFen },
        ].filter((d) => d.declared !== d.insurer)
      : [];
    if (mine) {
      Object.assign(mine, { outcome: 'accepted', receiptId: answer?.receiptId, consistent: answer?.consistent });
    }
    await this.repository.update(m, month, ['submitted'], {
      state: 'accepted',
      submissions: JSON.stringify(list),
      receiptId: answer?.receiptId ?? null,
      consistent: answer?.consistent ?? null,
      insurerSetlCnt: answer?.setlCnt ?? null,
      insurerMedfeeFen: answer?.medfeeFen ?? null,
      insurerFundFen: answer?.fundFen ?? null,
      differences: JSON.stringify(differences),
      lastError: null,
      updatedAt: now,
    });
    await this.obligations.fulfil(
      'monthly-declaration',
      month,
      {
        infno: INFNO.monthlyDeclaration,
        msgid: message.msgid,
        receiptId: answer?.receiptId ?? null,
        consistent: answer?.consistent ?? null,
      },
      m,
    );
    await this.audited(m, this.actor, month, 'accepted', {
      msgid: message.msgid,
      receiptId: answer?.receiptId,
      consistent: answer?.consistent,
      differences: differences.length,
    });
  }

  /** Opens the month's duty (idempotent): due the last day of the following month (器具协议 20). */
  async openDuty(m: EntityManager | undefined, month: string, now: Date = this.clock.now()): Promise<void> {
    await this.obligations.open(
      {
        kind: 'monthly-declaration',
        subjectType: 'month',
        subjectId: month,
        rule: DECLARATION_RULE,
        from: now,
        due: { on: monthDays(nextMonth(month)).to },
      },
      m,
    );
  }

  private checkMonth(month: string): void {
    if (!MONTH.test(month)) {
      throw DECLARATION_ERRORS.raise('DECLARATION_MONTH_INVALID');
    }
    if (month >= beijingDay(this.clock.now()).slice(0, 7)) {
      throw DECLARATION_ERRORS.raise('DECLARATION_MONTH_NOT_OVER');
    }
  }

  /** 409 while a 3401 is in flight; before a first acceptance submit (or resubmit once refused), after it only resubmit. */
  private refuseIfBusy(row: DeclarationRow, resubmit: boolean): void {
    if (row.state === 'submitted') {
      throw DECLARATION_ERRORS.raise('DECLARATION_IN_FLIGHT');
    }
    if (!resubmit && row.receiptId !== null) {
      throw DECLARATION_ERRORS.raise('DECLARATION_ALREADY_ACCEPTED');
    }
    // A refused first declaration may be resubmitted: the insurer refuses a second "first" declaration
    // of a month it already holds (made elsewhere, or recorded here before a restore).
    if (resubmit && row.receiptId === null && row.state !== 'refused') {
      throw DECLARATION_ERRORS.raise('DECLARATION_NOT_ACCEPTED');
    }
  }

  private async audited(
    m: EntityManager,
    by: Pick<Principal, 'type' | 'id'>,
    month: string,
    step: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(
      { actor: by, action: 'obligations.declaration', outcome: 'success', details: { month, step, ...details } },
      m,
    );
  }
}

export function submissions(row: DeclarationRow): DeclarationSubmission[] {
  return JSON.parse(row.submissions) as DeclarationSubmission[];
}

function figuresOfRow(row: DeclarationRow): Figures {
  return { count: row.setlCnt, totalFen: row.medfeeFen, fundFen: row.fundFen, selfPayFen: row.psnFen };
}

function figuresOfDraft(d: Pick<DeclarationRow, 'setlCnt' | 'medfeeFen' | 'fundFen' | 'psnFen'>): Figures {
  return { count: d.setlCnt, totalFen: d.medfeeFen, fundFen: d.fundFen, selfPayFen: d.psnFen };
}

function readAnswer(
  output: unknown,
): { receiptId: string; consistent: boolean; setlCnt: number; medfeeFen: number; fundFen: number } | undefined {
  if (typeof output !== 'object' || output === null) {
    return undefined;
  }
  const o = output as DeclarationOutput;
  const medfeeFen = wireToFen(o.insurer_medfee_sumamt);
  const fundFen = wireToFen(o.insurer_fund_pay_sumamt);
  if (
    typeof o.receipt_id !== 'string' ||
    typeof o.consistent !== 'boolean' ||
    typeof o.insurer_setl_cnt !== 'number' ||
    medfeeFen === undefined ||
    fundFen === undefined
  ) {
    return undefined;
  }
  return { receiptId: o.receipt_id, consistent: o.consistent, setlCnt: o.insurer_setl_cnt, medfeeFen, fundFen };
}

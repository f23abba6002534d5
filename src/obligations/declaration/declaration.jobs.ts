import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock, GatewayConfig, JobRunner, systemPrincipal } from '../../platform';
import { CalendarService } from '../../calendar/calendar.service';
import { UPSTREAM_LINK, type UpstreamLink } from '../../upstream/upstream-link';
import { addDays, beijingDay } from '../../calendar/rules/working-days';
import type { Obligation } from '../obligation.entity';
import { ObligationsService } from '../obligations.service';
import { ScheduledSlots } from '../scheduled-slots.service';
import { DeclarationService } from './declaration.service';
import { ReconciliationService } from './reconciliation.service';
import { previousMonth } from './rules/settlement-figures';

export const RECONCILIATION_JOB = 'obligations.reconciliation';
export const DECLARATION_JOB = 'obligations.declaration';
/** How often both jobs look whether something is due. */
export const DUE_CHECK_MS = 5 * 60_000;
/** A failed attempt (insurer away) is tried again after this long. */
export const RETRY_AFTER_MS = 15 * 60_000;
export const RECONCILIATION_RULE = 'R13 协议 29: 前一日结算每日对账（3201），次一工作日内完成';

/**
 * The two scheduled duties of money (docs/obligations-declaration.md), each run once per schedule
 * across instances: every attempt is a slot claimed with ScheduledSlots — `<subject>#<attempt>` —
 * so with several gateways on one database exactly one of them sends it, and a failed attempt is
 * retried (by whichever instance claims the next slot) after RETRY_AFTER_MS.
 *
 * - obligations.reconciliation: yesterday (Beijing) is reconciled (3201, 3202 when it differs); the
 *   duty `reconciliation` of that day is opened, fulfilled with the run as evidence.
 * - obligations.declaration: from the first working day of a month (calendar), the previous month's
 *   draft 3401 is made (duty `monthly-declaration` opened) if the gateway made any settlement in it,
 *   and submitted at once when `settlement.declaration.autoSubmit` is set.
 *
 * Without an insurer link (upstream.baseUrl empty) neither job is registered.
 */
@Injectable()
export class DeclarationJobs implements OnApplicationBootstrap {
  private readonly logger = new Logger(DeclarationJobs.name);
  private readonly actor = systemPrincipal('obligations.scheduler', '定时任务');

  constructor(
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
    private readonly config: GatewayConfig,
    private readonly calendar: CalendarService,
    private readonly obligations: ObligationsService,
    private readonly slots: ScheduledSlots,
    private readonly reconciliation: ReconciliationService,
    private readonly declarations: DeclarationService,
    @Inject(UPSTREAM_LINK) private readonly link: UpstreamLink | null,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.link) {
      // Nothing can be reconciled or declared without an insurer: no duties are opened that could never be met.
      this.logger.warn(
        'no insurer link configured (upstream.baseUrl): daily reconciliation and monthly declaration do not run',
      );
      return;
    }
    this.jobs.register({
      name: RECONCILIATION_JOB,
      intervalMs: DUE_CHECK_MS,
      runAtStart: true,
      run: () => this.reconcileDue(),
    });
    this.jobs.register({
      name: DECLARATION_JOB,
      intervalMs: DUE_CHECK_MS,
      runAtStart: true,
      run: () => this.declareDue(),
    });
  }

  /** Opens yesterday's duty and runs every reconciliation duty due an attempt. Returns the days reconciled. */
  async reconcileDue(): Promise<string[]> {
    const now = this.clock.now();
    const yesterday = addDays(beijingDay(now), -1);
    await this.obligations.open({
      kind: 'reconciliation',
      subjectType: 'day',
      subjectId: yesterday,
      rule: RECONCILIATION_RULE,
      from: now,
      due: { workingDays: 1 },
    });
    const done: string[] = [];
    for (const duty of await this.obligations.pending('reconciliation', 10)) {
      if (!this.dueAnAttempt(duty, now) || !(await this.claim(RECONCILIATION_JOB, duty))) {
        continue;
      }
      const day = duty.subjectId;
      const run = await this.reconciliation.reconcile(day, day, 'daily', this.actor);
      if (run.state === 'failed') {
        await this.obligations.recordAttempt('reconciliation', day, run.error);
        continue;
      }
      await this.obligations.fulfil('reconciliation', day, {
        infno: '3201',
        runId: run.id,
        msgid: run.msgid,
        stmtRslt: run.stmtRslt,
        state: run.state,
        differences: (JSON.parse(run.differences) as unknown[]).length,
      });
      done.push(day);
    }
    return done;
  }

  /** From the month's first working day: the previous month's draft (and its submission with autoSubmit). */
  async declareDue(): Promise<string | undefined> {
    const now = this.clock.now();
    const today = beijingDay(now);
    const first = this.calendar.calendar.firstWorkingDay(today.slice(0, 7));
    if (today < first.date) {
      return undefined;
    }
    const month = previousMonth(today.slice(0, 7));
    const existing = await this.declarations.find(month);
    const autoSubmit = this.config.settlement.declaration.autoSubmit;
    if (existing && !(autoSubmit && existing.state === 'draft' && existing.receiptId === null)) {
      return undefined;
    }
    if (!existing && !(await this.declarations.settledAnything(month))) {
      return undefined; // a month without settlements has nothing to declare (staff may still draft it)
    }
    await this.declarations.openDuty(undefined, month);
    const duty = await this.obligations.find('monthly-declaration', month);
    if (!duty || !this.dueAnAttempt(duty, now) || !(await this.claim(DECLARATION_JOB, duty))) {
      return undefined;
    }
    try {
      if (!existing) {
        await this.declarations.draft(month, this.actor);
      }
      if (autoSubmit) {
        await this.declarations.submit(month, this.actor);
      }
      return month;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.logger.warn({ err: e, month }, `the declaration of ${month} could not be drafted or submitted: ${error}`);
      await this.obligations.recordAttempt('monthly-declaration', month, error);
      return undefined;
    }
  }

  private dueAnAttempt(duty: Obligation, now: Date): boolean {
    return duty.lastAttemptAt === null || now.getTime() - duty.lastAttemptAt.getTime() >= RETRY_AFTER_MS;
  }

  /** One instance wins each attempt of a duty: the slot `<subject>#<attempt number>`. */
  private claim(job: string, duty: Obligation): Promise<boolean> {
    return this.slots.claim(job, `${duty.subjectId}#${duty.attempts + 1}`);
  }
}

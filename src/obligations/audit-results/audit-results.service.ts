import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, GatewayConfig, type Principal, systemPrincipal, Transactions } from '../../platform';
import { INFNO } from '../../upstream/protocol/transactions';
import { UpstreamCalls } from '../../upstream/upstream-calls';
import { UpstreamRejectedError } from '../../upstream/upstream.errors';
import { ObligationsService } from '../obligations.service';
import type { InsurerAuditDeduction, InsurerAuditResult, InsurerAuditWatch } from './audit-results.entity';
import { AUDIT_RESULT_ERRORS } from './audit-results.errors';
import { AuditResultsRepository, type UnwatchedSettlement } from './audit-results.repository';
import { type AuditReading, readAuditReply } from './rules/audit-reply';
import { firstCheckAt, nextCheckAt } from './rules/check-schedule';

/** R18 / 办法 16: the insurer audits uploaded costs within 30 calendar days ("30天内", counted from the settlement, which uploads them). */
export const AUDIT_DAYS = 30;
export const AUDIT_RULE =
  'R18 办法16: the insurer audits uploaded costs within 30 calendar days of the upload (settlement)';
const KIND = 'audit-result' as const;

/** What one question (3501) about one settlement came to. */
export type AskOutcome =
  | { kind: 'recorded'; versions: number[] }
  | { kind: 'unchanged' }
  | { kind: 'pending' }
  | { kind: 'refused'; error: UpstreamRejectedError }
  | { kind: 'invalid'; problem: string }
  | { kind: 'unavailable'; error: Error };

export interface AuditRunSummary {
  opened: number;
  closed: number;
  asked: number;
  recorded: number;
}

type DoneReading = Extract<AuditReading, { state: 'done' }>;

/**
 * The insurer's audit results (R18): one duty per settled settlement, owed by the insurer, due 30
 * calendar days after the settlement (ObligationsService, kind audit-result). The job opens the duty
 * and a watch for each new settlement, closes (waives) those whose settlement was cancelled, and asks
 * the insurer (3501) about the watches that are due — politely, on the schedule of
 * rules/check-schedule.ts. A result is recorded as a version with its deductions per fee line and
 * fulfils the duty; an amendment adds a version, nothing recorded changes.
 */
@Injectable()
export class AuditResultsService {
  private readonly logger = new Logger(AuditResultsService.name);
  private readonly actor = systemPrincipal('obligations.audit-results');

  constructor(
    private readonly tx: Transactions,
    private readonly repository: AuditResultsRepository,
    private readonly obligations: ObligationsService,
    private readonly calls: UpstreamCalls,
    private readonly clock: Clock,
    private readonly config: GatewayConfig,
    private readonly audit: AuditService,
  ) {}

  /** One run of the job: open, close, ask. */
  async run(): Promise<AuditRunSummary> {
    const opened = await this.openNew();
    const closed = await this.closeCancelled();
    const { asked, recorded } = await this.askDue();
    return { opened, closed, asked, recorded };
  }

  /** Opens the duty and the watch of settled settlements not watched yet (at most a batch). */
  async openNew(): Promise<number> {
    const batch = this.config.auditResults.batchSize;
    let opened = 0;
    for (const s of await this.repository.unwatched(this.tx.reader, batch)) {
      if (await this.tx.run((m) => this.watch(m, s))) {
        opened += 1;
      }
    }
    return opened;
  }

  /** Stops asking about settlements that were cancelled since, and waives their duty if still owed. */
  async closeCancelled(): Promise<number> {
    let closed = 0;
    for (const w of await this.repository.watchedButCancelled(this.tx.reader, this.config.auditResults.batchSize)) {
      await this.tx.run(async (m) => {
        if (await this.repository.close(m, w.settlementId, 'settlement cancelled')) {
          closed += 1;
          await this.obligations.waiveSubject(
            KIND,
            w.settlementId,
            '结算已撤销，医保经办机构不再审核',
            this.actor.id,
            m,
          );
        }
      });
    }
    return closed;
  }

  /**
   * Asks about the watches whose time came, the longest waiting first, at most a batch; stops at the
   * first question the insurer could not take (unreachable: the rest wait for a later run).
   */
  async askDue(): Promise<{ asked: number; recorded: number }> {
    const { batchSize, retryAfterMinutes } = this.config.auditResults;
    const now = this.clock.now();
    let asked = 0;
    let recorded = 0;
    for (const w of await this.repository.due(this.tx.reader, now, batchSize)) {
      // A lease: another instance's run skips it until this question is answered (or fails).
      if (!(await this.repository.claim(this.tx.reader, w, new Date(now.getTime() + retryAfterMinutes * 60_000)))) {
        continue;
      }
      const outcome = await this.ask(w);
      asked += 1;
      if (outcome.kind === 'recorded') {
        recorded += outcome.versions.length;
      }
      if (outcome.kind === 'unavailable') {
        break;
      }
    }
    return { asked, recorded };
  }

  /**
   * Staff or IT: ask the insurer now about one settlement (watched from now on if it was not); the
   * result is then read with AuditResultsReadingService.view.
   */
  async checkNow(settlementId: string, principal: Principal): Promise<void> {
    let w = await this.repository.watch(this.tx.reader, settlementId);
    if (!w) {
      const s = await this.repository.settlement(this.tx.reader, settlementId);
      if (!s) {
        throw AUDIT_RESULT_ERRORS.raise('AUDIT_SETTLEMENT_NOT_FOUND');
      }
      if (!s.setlId || !s.settledAt || (s.status !== 'settled' && s.status !== 'cancelling')) {
        throw AUDIT_RESULT_ERRORS.raise('AUDIT_NOT_SETTLED');
      }
      const [unwatched] = await this.repository.unwatched(this.tx.reader, 1, settlementId);
      if (unwatched) {
        await this.tx.run((m) => this.watch(m, unwatched));
      }
      w = await this.repository.watch(this.tx.reader, settlementId);
    }
    if (!w || w.settlementStatus === 'cancelled') {
      throw AUDIT_RESULT_ERRORS.raise('AUDIT_NOT_SETTLED');
    }
    const outcome = await this.ask(w, principal);
    if (outcome.kind === 'refused' || outcome.kind === 'unavailable') {
      throw outcome.error;
    }
    if (outcome.kind === 'invalid') {
      throw AUDIT_RESULT_ERRORS.raise('AUDIT_REPLY_INVALID', {
        message: `${AUDIT_RESULT_ERRORS.message('AUDIT_REPLY_INVALID')}（${outcome.problem}）`,
      });
    }
  }

  /**
   * One question (3501) about one watched settlement and what follows from the answer: a new version
   * recorded (with any version missed in between, asked by number), the duty fulfilled, the next
   * question scheduled; or the problem kept on the watch and the duty's attempts.
   */
  async ask(w: InsurerAuditWatch, actor: Principal = this.actor): Promise<AskOutcome> {
    const policy = this.config.auditResults;
    const retryAt = (): Date => new Date(this.clock.now().getTime() + policy.retryAfterMinutes * 60_000);
    const hasResult = w.latestVersion !== null;
    const scheduled = (): Date | null => nextCheckAt({ ...w, hasResult }, this.clock.now(), policy);
    let latest: { reading: DoneReading; msgid: string } | undefined;
    try {
      const answer = await this.question(w);
      if (answer.problem !== undefined) {
        await this.noted(w, `3501 answer not recorded: ${answer.problem}`, retryAt());
        return { kind: 'invalid', problem: answer.problem };
      }
      if (answer.reading.state === 'pending') {
        if (hasResult) {
          const problem = `the insurer answers pending after version ${w.latestVersion} was recorded`;
          await this.noted(w, `3501 answer not recorded: ${problem}`, retryAt());
          return { kind: 'invalid', problem };
        }
        await this.tx.run(async (m) => {
          await this.repository.afterCheck(
            m,
            w.settlementId,
            { state: 'pending', latestVersion: null, lastError: null, nextCheckAt: scheduled() },
            this.clock.now(),
          );
          await this.obligations.recordAttempt(KIND, w.settlementId, null, m);
        });
        return { kind: 'pending' };
      }
      latest = { reading: answer.reading, msgid: answer.msgid };
    } catch (e) {
      if (e instanceof UpstreamRejectedError) {
        await this.noted(w, `3501 refused: ${e.insurerMessage}`.slice(0, 1000), scheduled());
        return { kind: 'refused', error: e };
      }
      const error = e instanceof Error ? e : new Error(String(e));
      await this.noted(w, `insurer not reached: ${error.message}`.slice(0, 1000), retryAt());
      return { kind: 'unavailable', error };
    }

    const known = w.latestVersion ?? 0;
    if (latest.reading.latestVersion <= known) {
      await this.tx.run(async (m) => {
        await this.repository.afterCheck(
          m,
          w.settlementId,
          { state: 'done', latestVersion: known, lastError: null, nextCheckAt: scheduled() },
          this.clock.now(),
        );
        await this.obligations.recordAttempt(KIND, w.settlementId, null, m);
      });
      return { kind: 'unchanged' };
    }
    // Versions amended in between two questions are asked for by number: none is lost.
    const found: Array<{ reading: DoneReading; msgid: string }> = [];
    try {
      for (let v = known + 1; v < latest.reading.version; v++) {
        const answer = await this.question(w, v);
        if (answer.problem !== undefined || answer.reading.state !== 'done' || answer.reading.version !== v) {
          const problem = answer.problem ?? `version ${v} was not answered as asked`;
          await this.noted(w, `3501 answer not recorded: ${problem}`, retryAt());
          return { kind: 'invalid', problem };
        }
        found.push({ reading: answer.reading, msgid: answer.msgid });
      }
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      await this.noted(w, `insurer not reached: ${error.message}`.slice(0, 1000), retryAt());
      return e instanceof UpstreamRejectedError ? { kind: 'refused', error: e } : { kind: 'unavailable', error };
    }
    found.push(latest);
    const newest = latest.reading;
    await this.tx.run(async (m) => {
      const now = this.clock.now();
      for (const f of found) {
        await this.record(m, w, f.reading, f.msgid, now, actor);
      }
      await this.repository.afterCheck(
        m,
        w.settlementId,
        {
          state: 'done',
          latestVersion: newest.version,
          lastError: null,
          nextCheckAt: nextCheckAt({ ...w, hasResult: true }, now, policy),
        },
        now,
      );
      await this.obligations.recordAttempt(KIND, w.settlementId, null, m);
      const first = found[0];
      await this.obligations.fulfil(
        KIND,
        w.settlementId,
        {
          setlId: w.setlId,
          auditVersion: first.reading.version,
          auditedAt: first.reading.auditedAt.toISOString(),
          deductedFen: first.reading.deductedFen,
          msgid: first.msgid,
        },
        m,
      );
    });
    this.logger.log(
      `audit result of settlement ${w.settlementId} (setl_id ${w.setlId}): version ${newest.version}, ${newest.deductions.length} deduction(s), ${newest.deductedFen} fen deducted`,
    );
    return { kind: 'recorded', versions: found.map((f) => f.reading.version) };
  }

  /** The duty (owed by the insurer) and the watch of one settlement, in one transaction. */
  private async watch(m: EntityManager, s: UnwatchedSettlement): Promise<boolean> {
    const now = this.clock.now();
    const duty = await this.obligations.open(
      {
        kind: KIND,
        subjectType: 'settlement',
        subjectId: s.settlementId,
        owedBy: 'insurer',
        rule: AUDIT_RULE,
        from: s.settledAt,
        due: { days: AUDIT_DAYS },
        detail: { setlId: s.setlId, visitId: s.mdtrtId },
      },
      m,
    );
    return this.repository.insertWatch(m, {
      ...s,
      dueOn: duty.dueOn,
      state: 'pending',
      closedReason: null,
      latestVersion: null,
      checks: 0,
      lastCheckedAt: null,
      lastError: null,
      nextCheckAt: firstCheckAt(s.settledAt, this.config.auditResults),
      createdAt: now,
    });
  }

  /** 3501 for the settlement (a version by number, or the latest), its answer read and checked. */
  private async question(
    w: InsurerAuditWatch,
    version?: number,
  ): Promise<{ reading: AuditReading; msgid: string; problem?: undefined } | { problem: string; msgid: string }> {
    const input: Record<string, unknown> = { setl_id: w.setlId, psn_no: w.psnNo };
    if (version !== undefined) {
      input.audit_ver = version;
    }
    const { output, msgid } = await this.calls.call<unknown>(INFNO.auditResultQuery, input);
    const check = readAuditReply(output, w.setlId);
    return check.ok ? { reading: check.reading, msgid } : { problem: check.problem, msgid };
  }

  private async record(
    m: EntityManager,
    w: InsurerAuditWatch,
    r: DoneReading,
    msgid: string,
    now: Date,
    actor: Principal,
  ): Promise<void> {
    const result: InsurerAuditResult = {
      settlementId: w.settlementId,
      version: r.version,
      setlId: w.setlId,
      auditedAt: r.auditedAt,
      fetchedAt: now,
      msgid,
      fundFen: r.fundFen,
      deductedFen: r.deductedFen,
      approvedFen: r.approvedFen,
      deductionCount: r.deductions.length,
    };
    const rows: InsurerAuditDeduction[] = r.deductions.map((d, i) => ({
      settlementId: w.settlementId,
      version: r.version,
      seq: i + 1,
      ...d,
    }));
    if (await this.repository.insertResult(m, result, rows)) {
      await this.audit.record(
        {
          actor,
          action: 'settlement.audit-result',
          outcome: 'success',
          details: {
            settlementId: w.settlementId,
            setlId: w.setlId,
            version: r.version,
            auditedAt: r.auditedAt.toISOString(),
            deductedFen: r.deductedFen,
            deductions: r.deductions.map((d) => `${d.lineId}:${d.amountFen}:${d.reasonCode}`),
            msgid,
          },
        },
        m,
      );
    }
  }

  /** A question that brought nothing to record: the problem on the watch and the duty, the next question. */
  private async noted(w: InsurerAuditWatch, error: string, next: Date | null): Promise<void> {
    await this.tx.run(async (m) => {
      await this.repository.afterCheck(
        m,
        w.settlementId,
        {
          state: w.state,
          latestVersion: w.latestVersion,
          lastError: error,
          nextCheckAt: w.state === 'closed' ? null : next,
          closedReason: w.closedReason ?? undefined,
        },
        this.clock.now(),
      );
      await this.obligations.recordAttempt(KIND, w.settlementId, error, m);
    });
  }
}

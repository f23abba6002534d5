import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock, JobRunner } from '../platform';
import { SettlementOutcomeService } from './settlement-outcome.service';
import { SettlementStatementService } from './settlement-statement.service';

export const SETTLEMENT_STATEMENTS_JOB = 'settlement.statements';

/** The sweep: statements missing for settlements settled in the last `SWEEP_DAYS` days, every minute. */
export const STATEMENT_SWEEP_MS = 60_000;
const SWEEP_DAYS = 30;
/** A run starts once no settlement has settled for this long (a burst renders after the burst). */
export const STATEMENT_QUIET_MS = 1_000;
/** Statements rendered per run at most (the next run takes the rest). */
const BATCH = 20;

/**
 * Renders the statements (费用结算单) of settled settlements off the settle path. A PDF takes tens of
 * milliseconds of CPU on the event loop; rendered right after the settling transaction it delayed
 * the settle request's own answer by that much. Now a settlement's settling only schedules a run,
 * `STATEMENT_QUIET_MS` after the last one (debounced), and a sweep every `STATEMENT_SWEEP_MS` (also at
 * start) takes whatever is still missing — after a restart, or after a rendering that failed.
 * GET …/statement.pdf renders a missing statement at once, so the desk never waits for the job.
 */
@Injectable()
export class SettlementStatementJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SettlementStatementJob.name);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
    private readonly outcomes: SettlementOutcomeService,
    private readonly statements: SettlementStatementService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.register({
      name: SETTLEMENT_STATEMENTS_JOB,
      intervalMs: STATEMENT_SWEEP_MS,
      runAtStart: true,
      run: () => this.run(),
    });
    this.outcomes.onSettlementSettled(() => this.soon());
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** A settlement settled: a run once things are quiet. */
  soon(): void {
    if (this.stopped) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.jobs
        .runNow(SETTLEMENT_STATEMENTS_JOB)
        .catch((e: unknown) => this.logger.warn({ err: e }, 'settlement: the statements run failed'));
    }, STATEMENT_QUIET_MS).unref();
  }

  /**
   * One run: each missing statement rendered and stored, one at a time, yielding to the event loop
   * between them. A statement that cannot be rendered is logged and left for the next run; the
   * run fails (and is counted so in gateway_job_runs_total) when any could not be.
   * Returns the number rendered.
   */
  async run(): Promise<number> {
    const since = new Date(this.clock.now().getTime() - SWEEP_DAYS * 86_400_000);
    const failed: string[] = [];
    let rendered = 0;
    for (const id of await this.statements.missing(since, BATCH)) {
      if (this.stopped) {
        break;
      }
      try {
        await this.statements.pdf(id);
        rendered++;
      } catch (e) {
        failed.push(id);
        this.logger.error(`settlement ${id}: the statement could not be rendered: ${(e as Error).message}`);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (failed.length > 0) {
      throw new Error(`${failed.length} statement(s) could not be rendered (settlements ${failed.join(', ')})`);
    }
    return rendered;
  }
}

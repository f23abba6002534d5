import { Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { JobScheduleRepository } from './job-schedule.repository';

/** The least a claimed slot's lease lasts: a run longer than its interval still keeps the others out this long. */
const MIN_LEASE_MS = 60_000;

/** One background job: a name for logs and metrics, how often it runs, and what it does. */
export interface JobDefinition {
  /** Stable, dotted: `forms.retention`, `outbox.prune`, `identity.coverage-recheck`. */
  readonly name: string;
  readonly intervalMs: number;
  /** Also run once as soon as the job is registered (after a 0 ms tick). Default false. */
  readonly runAtStart?: boolean;
  readonly run: () => Promise<unknown>;
}

export interface JobStatus {
  readonly name: string;
  readonly intervalMs: number;
  readonly running: boolean;
  readonly lastStartedAt: Date | null;
  readonly lastSucceededAt: Date | null;
  readonly lastError: string | null;
}

interface RegisteredJob {
  readonly definition: JobDefinition;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  lastStartedAt: Date | null;
  lastSucceededAt: Date | null;
  lastError: string | null;
}

/**
 * The one scheduler for the gateway's background jobs. A job never overlaps itself (a tick that finds
 * the previous run still going is skipped), a failure is logged and counted and the job runs again at
 * the next tick, and every job has the same metrics: gateway_job_runs_total{job,outcome},
 * gateway_job_duration_seconds{job} and gateway_job_last_success_timestamp_seconds{job}.
 * Timers are unref'd; shutdown stops them and waits for runs in progress.
 *
 * Several instances on one PostgreSQL: a scheduled run (a tick, and the run at start) first claims the
 * job's current slot (`floor(now / intervalMs)`) in job_schedule; only the instance that claims it
 * runs, so each job runs once per interval across instances however their timers are offset. A
 * tick that finds the slot taken counts as `outcome="elsewhere"`. `runNow` (CLI, operator, a
 * capability asking for a run soon) runs at once, unclaimed. SQLite (one instance) runs every tick.
 */
@Injectable()
export class JobRunner implements OnApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private readonly jobs = new Map<string, RegisteredJob>();
  private readonly runs: Counter<'job' | 'outcome'>;
  private readonly duration: Histogram<'job'>;
  private readonly lastSuccess: Gauge<'job'>;
  private stopped = false;
  /** This process's name in job_schedule.holder. */
  private readonly holder = `gw-${randomUUID()}`;

  constructor(
    metrics: MetricsService,
    @Optional() private readonly schedule?: JobScheduleRepository,
  ) {
    const registers = [metrics.registry];
    this.runs = new Counter({
      name: 'gateway_job_runs_total',
      help: 'Background job runs, by job and outcome (success, failure, skipped, elsewhere)',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'gateway_job_duration_seconds',
      help: 'Background job run time, by job',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'gateway_job_last_success_timestamp_seconds',
      help: 'When each background job last succeeded (Unix seconds)',
      labelNames: ['job'],
      registers,
    });
  }

  /** Registers and starts a job. Names are unique: registering one twice is a programming error. */
  register(definition: JobDefinition): void {
    if (this.jobs.has(definition.name)) {
      throw new Error(`background job ${definition.name} is already registered`);
    }
    if (!Number.isFinite(definition.intervalMs) || definition.intervalMs <= 0) {
      throw new RangeError(`background job ${definition.name}: intervalMs must be a positive number of milliseconds`);
    }
    const job: RegisteredJob = {
      definition,
      timer: undefined,
      running: undefined,
      lastStartedAt: null,
      lastSucceededAt: null,
      lastError: null,
    };
    this.jobs.set(definition.name, job);
    if (this.stopped) {
      return;
    }
    job.timer = setInterval(() => void this.tick(job), definition.intervalMs).unref();
    if (definition.runAtStart) {
      setImmediate(() => void this.tick(job));
    }
  }

  /**
   * Runs a job now and waits for it (the CLI, tests, an operator's "run now"). If a run is already in
   * progress, waits for that one instead of starting a second. Rejects with the job's error.
   */
  async runNow(name: string): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) {
      throw new Error(`no background job named ${name} (registered: ${[...this.jobs.keys()].join(', ') || 'none'})`);
    }
    if (job.running) {
      return job.running;
    }
    return this.start(job, true);
  }

  status(): JobStatus[] {
    return [...this.jobs.values()].map((j) => ({
      name: j.definition.name,
      intervalMs: j.definition.intervalMs,
      running: j.running !== undefined,
      lastStartedAt: j.lastStartedAt,
      lastSucceededAt: j.lastSucceededAt,
      lastError: j.lastError,
    }));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const job of this.jobs.values()) {
      clearInterval(job.timer);
      job.timer = undefined;
    }
    await Promise.allSettled([...this.jobs.values()].flatMap((j) => (j.running ? [j.running] : [])));
  }

  private async tick(job: RegisteredJob): Promise<void> {
    if (this.stopped) {
      return;
    }
    if (job.running) {
      this.runs.inc({ job: job.definition.name, outcome: 'skipped' });
      return;
    }
    if (this.schedule?.shared) {
      const claimed = await this.claim(job);
      if (!claimed) {
        if (claimed === false) {
          this.runs.inc({ job: job.definition.name, outcome: 'elsewhere' });
        }
        return;
      }
      if (this.stopped || job.running) {
        await this.schedule.release(job.definition.name, this.holder).catch(() => undefined);
        return;
      }
      await this.start(job, false, true).catch(() => undefined);
      return;
    }
    await this.start(job, false).catch(() => undefined);
  }

  /** Claims the job's current slot: true (run it), false (another instance has it), undefined (the database failed). */
  private async claim(job: RegisteredJob): Promise<boolean | undefined> {
    const { name, intervalMs } = job.definition;
    const now = Date.now();
    try {
      return await (this.schedule as JobScheduleRepository).claim(
        name,
        Math.floor(now / intervalMs),
        this.holder,
        new Date(now),
        new Date(now + Math.max(intervalMs, MIN_LEASE_MS)),
      );
    } catch (err) {
      this.runs.inc({ job: name, outcome: 'failure' });
      job.lastError = err instanceof Error ? err.message : String(err);
      this.logger.warn(
        { err, job: name },
        `background job ${name}: could not claim its slot; it tries again in ${intervalMs} ms`,
      );
      return undefined;
    }
  }

  private start(job: RegisteredJob, rethrow: boolean, claimed = false): Promise<void> {
    const name = job.definition.name;
    const endTimer = this.duration.startTimer({ job: name });
    job.lastStartedAt = new Date();
    const run = (async () => {
      try {
        await job.definition.run();
        job.lastSucceededAt = new Date();
        job.lastError = null;
        this.runs.inc({ job: name, outcome: 'success' });
        this.lastSuccess.set({ job: name }, job.lastSucceededAt.getTime() / 1000);
      } catch (err) {
        job.lastError = err instanceof Error ? err.message : String(err);
        this.runs.inc({ job: name, outcome: 'failure' });
        this.logger.warn(
          { err, job: name },
          `background job ${name} failed; it runs again in ${job.definition.intervalMs} ms`,
        );
        if (rethrow) {
          throw err;
        }
      } finally {
        endTimer();
        if (claimed) {
          await this.schedule?.release(name, this.holder).catch(() => undefined);
        }
        job.running = undefined;
      }
    })();
    job.running = run.catch(() => undefined);
    return run;
  }
}

import { Clock, type GatewayConfig, JobRunner, MetricsService } from '../platform';
import { LinkMonitor } from '../upstream/link-monitor';
import { COVERAGE_RECHECK_JOB, CoverageRecheckJob } from './coverage-recheck.job';
import type { IdentitySessionRepository } from './identity-session.repository';
import type { IdentitySessionsService } from './identity-sessions.service';

class FixedClock extends Clock {
  now(): Date {
    return new Date('2026-11-25T02:00:00.000Z');
  }
}

describe(CoverageRecheckJob.name, () => {
  const clock = new FixedClock();
  let runner: JobRunner;
  let monitor: LinkMonitor;
  let job: CoverageRecheckJob;
  /** Session ids the repository answers as offline, oldest first. */
  let offline: string[];
  /** Sessions whose re-check finds the insurer still away. */
  let stillOffline: Set<string>;
  let failNext: Error | undefined;
  const rechecked: string[] = [];
  const askedAt: Date[] = [];

  beforeEach(() => {
    runner = new JobRunner(new MetricsService());
    monitor = new LinkMonitor(clock, { emergencyAfterMs: 0, probeIntervalMs: 1000 });
    offline = [];
    stillOffline = new Set();
    failNext = undefined;
    rechecked.length = 0;
    askedAt.length = 0;
    const repository = {
      findOfflineIds: (now: Date) => (askedAt.push(now), Promise.resolve([...offline])),
    } as unknown as IdentitySessionRepository;
    const sessions = {
      recheck: (id: string) => {
        rechecked.push(id);
        const failure = failNext;
        failNext = undefined;
        return failure ? Promise.reject(failure) : Promise.resolve(stillOffline.has(id));
      },
    } as unknown as IdentitySessionsService;
    const config = { upstream: { emergency: { probeIntervalMs: 60_000 } } } as GatewayConfig;
    job = new CoverageRecheckJob(runner, config, monitor, clock, repository, sessions);
    job.onApplicationBootstrap();
  });

  afterEach(async () => {
    job.onApplicationShutdown();
    await runner.onApplicationShutdown();
  });

  it(`is registered with the JobRunner as ${COVERAGE_RECHECK_JOB}, every upstream.emergency.probeIntervalMs`, () => {
    expect(runner.status()).toEqual([
      expect.objectContaining({ name: 'identity.coverage-recheck', intervalMs: 60_000, running: false }),
    ]);
  });

  it('re-checks the offline sessions oldest first, as of the clock', async () => {
    offline = ['s1', 's2', 's3'];
    await runner.runNow(COVERAGE_RECHECK_JOB);
    expect(rechecked).toEqual(['s1', 's2', 's3']);
    expect(askedAt).toEqual([clock.now()]);
    expect(runner.status()[0].lastSucceededAt).toBeInstanceOf(Date);
  });

  it('stops at the first session that is still offline: one probe per round, the others wait for the next', async () => {
    offline = ['s1', 's2', 's3'];
    stillOffline.add('s2');
    await runner.runNow(COVERAGE_RECHECK_JOB);
    expect(rechecked).toEqual(['s1', 's2']);
  });

  it('runs at once when the link monitor sees the insurer back, not when it goes away', async () => {
    offline = ['s1'];
    monitor.unreachable(); // emergencyAfterMs 0: emergency at once
    await new Promise((r) => setImmediate(r));
    expect(rechecked).toEqual([]);
    monitor.reachable();
    await runner.runNow(COVERAGE_RECHECK_JOB); // joins the run the mode change started
    expect(rechecked).toEqual(['s1']);
  });

  it('a failed round is the job failing (counted by the JobRunner), and the next round runs again', async () => {
    offline = ['s1'];
    failNext = new Error('database away');
    await expect(runner.runNow(COVERAGE_RECHECK_JOB)).rejects.toThrow('database away');
    expect(runner.status()[0].lastError).toBe('database away');
    await runner.runNow(COVERAGE_RECHECK_JOB);
    expect(rechecked).toEqual(['s1', 's1']);
    expect(runner.status()[0].lastError).toBeNull();
  });
});

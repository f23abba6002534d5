import { MetricsService } from '../metrics/metrics.service';
import { JobRunner } from './job-runner';

async function metric(metrics: MetricsService, name: string): Promise<string> {
  return (await metrics.registry.getSingleMetricAsString(name))
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

describe('JobRunner', () => {
  let metrics: MetricsService;
  let runner: JobRunner;

  beforeEach(() => {
    metrics = new MetricsService();
    runner = new JobRunner(metrics);
  });

  afterEach(async () => {
    await runner.onApplicationShutdown();
  });

  it('runs a job on demand, records success, and keeps a run from overlapping itself', async () => {
    let release!: () => void;
    let calls = 0;
    runner.register({
      name: 'test.slow',
      intervalMs: 60_000,
      run: () => ((calls += 1), new Promise<void>((r) => (release = r))),
    });
    const first = runner.runNow('test.slow');
    const second = runner.runNow('test.slow');
    expect(runner.status()[0].running).toBe(true);
    release();
    await Promise.all([first, second]);
    expect(calls).toBe(1);
    expect(runner.status()[0]).toMatchObject({ name: 'test.slow', running: false, lastError: null });
    expect(runner.status()[0].lastSucceededAt).toBeInstanceOf(Date);
    expect(await metric(metrics, 'gateway_job_runs_total')).toContain(
      'gateway_job_runs_total{job="test.slow",outcome="success"} 1',
    );
  });

  it('counts a failure, keeps the message, and rejects runNow with the error', async () => {
    runner.register({ name: 'test.fails', intervalMs: 60_000, run: () => Promise.reject(new Error('disk full')) });
    await expect(runner.runNow('test.fails')).rejects.toThrow('disk full');
    expect(runner.status()[0].lastError).toBe('disk full');
    expect(await metric(metrics, 'gateway_job_runs_total')).toContain(
      'gateway_job_runs_total{job="test.fails",outcome="failure"} 1',
    );
  });

  it('runs on its interval and at start when asked, and stops at shutdown', async () => {
    // Timers (and the immediate of the run at start) are faked: the ticks are counted exactly, however busy the machine.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    try {
      let calls = 0;
      runner.register({
        name: 'test.tick',
        intervalMs: 20,
        runAtStart: true,
        run: () => Promise.resolve((calls += 1)),
      });
      expect(calls).toBe(0);
      await jest.advanceTimersByTimeAsync(0);
      expect(calls).toBe(1); // the run at start, before the first interval
      await jest.advanceTimersByTimeAsync(19);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls).toBe(2);
      await jest.advanceTimersByTimeAsync(40);
      expect(calls).toBe(4);
      await runner.onApplicationShutdown();
      await jest.advanceTimersByTimeAsync(200);
      expect(calls).toBe(4);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a duplicate name, a bad interval and an unknown job', async () => {
    runner.register({ name: 'test.once', intervalMs: 1000, run: () => Promise.resolve() });
    expect(() => runner.register({ name: 'test.once', intervalMs: 1000, run: () => Promise.resolve() })).toThrow(
      'already registered',
    );
    expect(() => runner.register({ name: 'test.zero', intervalMs: 0, run: () => Promise.resolve() })).toThrow(
      'positive',
    );
    await expect(runner.runNow('test.nope')).rejects.toThrow(
      'no background job named test.nope (registered: test.once)',
    );
  });
});

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
    let calls = 0;
    runner.register({ name: 'test.tick', intervalMs: 20, runAtStart: true, run: () => Promise.resolve((calls += 1)) });
    await new Promise((r) => setTimeout(r, 130));
    expect(calls).toBeGreaterThanOrEqual(2);
    await runner.onApplicationShutdown();
    const after = calls;
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toBe(after);
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

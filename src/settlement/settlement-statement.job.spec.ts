import { eventually } from '../../drivers/testing/eventually';
import { Clock, JobRunner, MetricsService } from '../platform';
import { SETTLEMENT_STATEMENTS_JOB, STATEMENT_QUIET_MS, SettlementStatementJob } from './settlement-statement.job';
import type { SettledListener, SettlementOutcomeService } from './settlement-outcome.service';
import type { SettlementStatementService } from './settlement-statement.service';

/** The statements job over a fake statement service: what is missing, what was rendered. */
function world(missing: string[], failing = new Set<string>()) {
  const listeners: SettledListener[] = [];
  const rendered: string[] = [];
  const statements = {
    missing: jest.fn(async () => missing.filter((id) => !rendered.includes(id))),
    pdf: jest.fn(async (id: string) => {
      if (failing.has(id)) {
        throw new Error('font missing');
      }
      rendered.push(id);
      return Buffer.from('%PDF-');
    }),
  };
  const outcomes = { onSettlementSettled: (l: SettledListener) => listeners.push(l) };
  const jobs = new JobRunner(new MetricsService());
  const job = new SettlementStatementJob(
    jobs,
    new FixedClock(new Date('2026-12-03T02:00:00Z')),
    outcomes as unknown as SettlementOutcomeService,
    statements as unknown as SettlementStatementService,
  );
  return { job, jobs, listeners, rendered, statements };
}

class FixedClock extends Clock {
  constructor(private readonly at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
}

/** Lets pending immediates and promise callbacks run (the job runner starts a run on an immediate). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setImmediate(r));
  }
}

describe('SettlementStatementJob', () => {
  it(`is registered as ${SETTLEMENT_STATEMENTS_JOB} and sweeps at start`, async () => {
    const w = world(['a', 'b']);
    w.job.onApplicationBootstrap();
    expect(w.jobs.status().map((j) => j.name)).toContain(SETTLEMENT_STATEMENTS_JOB);
    await eventually(() => w.rendered.length === 2, 'the start-up sweep to render both statements');
    expect(w.rendered).toEqual(['a', 'b']);
    w.job.onApplicationShutdown();
    await w.jobs.onApplicationShutdown();
  });

  it('renders once things are quiet after a burst of settlements, not at each one', async () => {
    // Timers are faked so the quiet time is counted exactly, whatever the machine is doing.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const w = world([]);
      w.job.onApplicationBootstrap();
      await settle(); // the start-up sweep: nothing missing
      expect(w.statements.missing).toHaveBeenCalledTimes(1);
      w.statements.missing.mockClear();
      w.listeners.forEach((l) => l('x'));
      await jest.advanceTimersByTimeAsync(STATEMENT_QUIET_MS / 2);
      w.listeners.forEach((l) => l('y'));
      await jest.advanceTimersByTimeAsync(STATEMENT_QUIET_MS - 1);
      await settle();
      expect(w.statements.missing).not.toHaveBeenCalled(); // still within the quiet time of the second
      await jest.advanceTimersByTimeAsync(1);
      await settle();
      expect(w.statements.missing).toHaveBeenCalledTimes(1);
      w.job.onApplicationShutdown();
      await w.jobs.onApplicationShutdown();
    } finally {
      jest.useRealTimers();
    }
  });

  it('goes on past a statement that cannot be rendered and fails the run naming it', async () => {
    const w = world(['a', 'b', 'c'], new Set(['b']));
    await expect(w.job.run()).rejects.toThrow('settlements b');
    expect(w.rendered).toEqual(['a', 'c']);
  });
});

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptOutcome } from './outbox/outbox-attempt.entity';
import type { OutboxStatus } from './outbox/outbox-message.entity';

export interface QueueSnapshot {
  counts: Record<OutboxStatus, number>;
  oldestWaitingSeconds: number;
}

/** The insurer link in /metrics. Queue gauges are read from the database at scrape time. */
export class UpstreamMetrics {
  readonly attempts: Counter<'kind' | 'outcome'>;
  readonly latency: Histogram<'kind'>;
  readonly emergency: Gauge;

  constructor(registry: Registry, snapshot: () => Promise<QueueSnapshot>) {
    this.attempts = new Counter({
      name: 'gateway_upstream_attempts_total',
      help: 'Sends and queries to the insurer, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'gateway_upstream_request_duration_seconds',
      help: 'Time from sending a request to the insurer to its reply or failure',
      labelNames: ['kind'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.emergency = new Gauge({
      name: 'gateway_upstream_emergency',
      help: '1 while the insurer link is in emergency mode',
      registers: [registry],
    });
    // One database read per scrape, shared by both queue gauges.
    let pending: Promise<QueueSnapshot> | undefined;
    const read = (): Promise<QueueSnapshot> => {
      pending ??= snapshot().finally(() => setImmediate(() => (pending = undefined)));
      return pending;
    };
    new Gauge({
      name: 'gateway_outbox_messages',
      help: 'Messages in the outbox, by status',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const { counts } = await read();
        for (const [status, n] of Object.entries(counts)) {
          this.set({ status }, n);
        }
      },
    });
    new Gauge({
      name: 'gateway_outbox_oldest_waiting_seconds',
      help: 'Age of the oldest message not yet delivered (pending, unknown or sending)',
      registers: [registry],
      async collect() {
        this.set((await read()).oldestWaitingSeconds);
      },
    });
  }

  observe(kind: 'send' | 'query', outcome: AttemptOutcome, latencyMs: number): void {
    this.attempts.inc({ kind, outcome });
    this.latency.observe({ kind }, latencyMs / 1000);
  }
}

import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../platform';
import type { ObligationCount } from './obligation.repository';
import { ObligationsService } from './obligations.service';

/**
 * Duties in /metrics, read from the database at each scrape (one query shared by both gauges):
 * gateway_obligations{kind,state,owed_by} and gateway_obligations_overdue{kind,owed_by}.
 */
@Injectable()
export class ObligationsMetrics {
  constructor(metrics: MetricsService, obligations: ObligationsService) {
    const registers = [metrics.registry];
    let pending: Promise<ObligationCount[]> | undefined;
    const read = (): Promise<ObligationCount[]> => {
      pending ??= obligations.counts().finally(() => setImmediate(() => (pending = undefined)));
      return pending;
    };
    new Gauge({
      name: 'gateway_obligations',
      help: 'Duties with deadlines, by kind, state (open, done, late, waived) and who owes them (hospital, insurer)',
      labelNames: ['kind', 'state', 'owed_by'],
      registers,
      async collect() {
        this.reset();
        for (const c of await read()) {
          this.set({ kind: c.kind, state: c.state, owed_by: c.owedBy }, c.count);
        }
      },
    });
    new Gauge({
      name: 'gateway_obligations_overdue',
      help: 'Duties whose due day has passed, neither fulfilled nor waived, by kind and who owes them',
      labelNames: ['kind', 'owed_by'],
      registers,
      async collect() {
        this.reset();
        const by = new Map<string, { kind: string; owed_by: string; n: number }>();
        for (const c of await read()) {
          const key = `${c.kind}|${c.owedBy}`;
          const e = by.get(key) ?? { kind: c.kind, owed_by: c.owedBy, n: 0 };
          e.n += c.overdue;
          by.set(key, e);
        }
        for (const e of by.values()) {
          this.set({ kind: e.kind, owed_by: e.owed_by }, e.n);
        }
      },
    });
  }
}

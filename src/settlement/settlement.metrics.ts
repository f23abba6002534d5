import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../platform';
import type { VisitKind } from './settlement.entity';

/** How a settlement's message ended: the settle outcomes, then the cancellation outcomes. */
export type SettlementOutcome = 'settled' | 'rejected' | 'needs-review' | 'cancelled' | 'cancel-rejected';

/**
 * Settlement in /metrics: outcomes by visit kind (outpatient, inpatient), and how long a settlement
 * took from the request to the insurer's outcome. Counted once the outcome committed. Labels never
 * carry a visit or a person.
 */
@Injectable()
export class SettlementMetrics {
  private readonly outcomes: Counter<'kind' | 'outcome'>;
  private readonly duration: Histogram<'kind'>;
  private readonly provisionals: Counter<'kind'>;
  private readonly differences: Counter<'direction'>;

  constructor(metrics: MetricsService) {
    this.outcomes = new Counter({
      name: 'gateway_settlements_total',
      help: 'Settlement outcomes by visit kind (outpatient, inpatient) and outcome (settled, rejected, needs-review, cancelled, cancel-rejected)',
      labelNames: ['kind', 'outcome'],
      registers: [metrics.registry],
    });
    this.duration = new Histogram({
      name: 'gateway_settlement_outcome_seconds',
      help: 'Time from the settle request to the insurer’s outcome (settled, rejected or needs-review), by visit kind',
      labelNames: ['kind'],
      buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 300, 1800, 3600],
      registers: [metrics.registry],
    });
    this.provisionals = new Counter({
      name: 'gateway_settlements_provisional_total',
      help: 'Settlements queued provisional while the insurer was away (emergency mode), by visit kind',
      labelNames: ['kind'],
      registers: [metrics.registry],
    });
    this.differences = new Counter({
      name: 'gateway_settlement_differences_total',
      help: 'Differences between a provisional settlement and the insurer’s outcome, by direction (collect, refund)',
      labelNames: ['direction'],
      registers: [metrics.registry],
    });
  }

  /** A settlement queued provisional (committed). */
  provisional(kind: VisitKind): void {
    this.provisionals.inc({ kind });
  }

  /** A difference recorded (committed). */
  difference(direction: 'collect' | 'refund'): void {
    this.differences.inc({ direction });
  }

  /** One outcome; `seconds` (request → outcome) for the settle outcomes. */
  outcome(kind: VisitKind, outcome: SettlementOutcome, seconds?: number): void {
    this.outcomes.inc({ kind, outcome });
    if (seconds !== undefined) {
      this.duration.observe({ kind }, Math.max(0, seconds));
    }
  }
}

import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../platform';
import { AgentPresence } from './agent-presence';

export type EnrolmentOutcome = 'enrolled' | 'refused';

/**
 * Desk agents in /metrics: enrolment exchanges by outcome and refusal code, so IT sees someone
 * guessing codes (a run of AGENT_ENROLMENT_UNKNOWN), agent authentications refused by code, and how
 * many agents are linked to this instance now.
 */
@Injectable()
export class AgentsMetrics {
  private readonly enrolments: Counter<'outcome' | 'code'>;
  private readonly refusals: Counter<'code'>;

  constructor(metrics: MetricsService, presence: AgentPresence) {
    new Gauge({
      name: 'gateway_agents_connected',
      help: 'Desk agents with a link to this gateway instance now',
      registers: [metrics.registry],
      collect() {
        this.set(presence.count);
      },
    });
    this.enrolments = new Counter({
      name: 'gateway_agent_enrolments_total',
      help: 'Enrolment-code exchanges by outcome (enrolled, refused) and refusal code',
      labelNames: ['outcome', 'code'],
      registers: [metrics.registry],
    });
    this.refusals = new Counter({
      name: 'gateway_agent_auth_refusals_total',
      help: 'Agent credentials refused, by code (AGENT_UNKNOWN, AGENT_REVOKED)',
      labelNames: ['code'],
      registers: [metrics.registry],
    });
  }

  enrolment(outcome: EnrolmentOutcome, code = ''): void {
    this.enrolments.inc({ outcome, code });
  }

  refused(code: string): void {
    this.refusals.inc({ code });
  }
}

import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../platform';
import { ActiveAgents } from './active-agents';
import { AgentPresence } from './agent-presence';

export type EnrolmentOutcome = 'enrolled' | 'refused';

/**
 * Desk agents in /metrics: enrolment exchanges by outcome and refusal code, so IT sees someone
 * guessing codes (a run of AGENT_ENROLMENT_UNKNOWN), agent authentications refused by code, how
 * many agents are linked to this instance now, and per active agent when it was last seen (the
 * registry, shared by every instance) and how many scans it last said it holds (its agent-status to
 * this instance). The per-agent gauges read the registry through ActiveAgents (one query reused for
 * a few seconds).
 */
@Injectable()
export class AgentsMetrics {
  private readonly enrolments: Counter<'outcome' | 'code'>;
  private readonly refusals: Counter<'code'>;

  constructor(metrics: MetricsService, presence: AgentPresence, active: ActiveAgents) {
    new Gauge({
      name: 'gateway_agents_connected',
      help: 'Desk agents with a link to this gateway instance now',
      registers: [metrics.registry],
      collect() {
        this.set(presence.count);
      },
    });
    new Gauge({
      name: 'gateway_agent_last_seen_timestamp_seconds',
      help: 'When each active desk agent last authenticated (Unix seconds; refreshed at most once a minute)',
      labelNames: ['agent_id', 'desk'],
      registers: [metrics.registry],
      async collect() {
        const agents = await active.list();
        this.reset();
        for (const agent of agents) {
          if (agent.lastSeenAt !== null) {
            this.set({ agent_id: agent.id, desk: agent.desk }, agent.lastSeenAt.getTime() / 1000);
          }
        }
      },
    });
    new Gauge({
      name: 'gateway_agent_buffered_events',
      help: 'Trace-code scans each active desk agent holds unacknowledged, as it last reported to this instance',
      labelNames: ['agent_id', 'desk'],
      registers: [metrics.registry],
      async collect() {
        const agents = await active.list();
        this.reset();
        for (const agent of agents) {
          const report = presence.lastReport(agent.id);
          if (report !== null) {
            this.set({ agent_id: agent.id, desk: agent.desk }, report.status.bufferedScans);
          }
        }
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

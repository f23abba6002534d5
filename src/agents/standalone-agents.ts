import type { DataSource } from 'typeorm';
import {
  type AuditService,
  type Clock,
  type GatewayConfig,
  MetricsService,
  type PiiCryptoService,
  Transactions,
} from '../platform';
import { ActiveAgents } from './active-agents';
import { AgentEnrolmentRepository } from './agent-enrolment.repository';
import { AgentRepository } from './agent.repository';
import { AgentsMetrics } from './agents.metrics';
import { AgentPresence } from './agent-presence';
import { AgentsService } from './agents.service';
import { EnrolmentsService } from './enrolments.service';

/** The agent registry outside Nest (`gateway agents …`, tests), wired from the same parts AgentsModule provides. */
export function agentServicesOn(
  dataSource: DataSource,
  config: GatewayConfig,
  deps: { clock: Clock; audit: AuditService; pii: PiiCryptoService },
): { agents: AgentsService; enrolments: EnrolmentsService } {
  const transactions = new Transactions(dataSource);
  const agents = new AgentRepository(dataSource);
  // Outside the gateway no agent is linked here.
  const presence = new AgentPresence();
  const metrics = new AgentsMetrics(new MetricsService(), presence, new ActiveAgents(agents, deps.clock));
  return {
    agents: new AgentsService(transactions, agents, deps.audit, deps.clock, metrics, presence),
    enrolments: new EnrolmentsService(
      transactions,
      new AgentEnrolmentRepository(dataSource),
      agents,
      deps.audit,
      deps.pii,
      deps.clock,
      config,
      metrics,
    ),
  };
}

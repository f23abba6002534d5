import { Module } from '@nestjs/common';
import { ActiveAgents } from './active-agents';
import { AgentEnrolmentRepository } from './agent-enrolment.repository';
import { AgentRepository } from './agent.repository';
import { AgentsController } from './agents.controller';
import { AgentsHealth } from './agents.health';
import { AgentsMetrics } from './agents.metrics';
import { AgentsService } from './agents.service';
import { AgentPresence } from './agent-presence';
import { AgentLinkSocket } from './link/agent-link.socket';
import { DevicesModule } from '../devices/devices.module';
import { EnrolmentsService } from './enrolments.service';

/**
 * Desk agents: the central registry (enrolment codes, credentials, list/rename/move/revoke) and the
 * centre's end of the agent link (AgentLinkSocket, /api/v1/agents/link), which authenticates agents
 * through AgentsService.authenticate and passes their devices' events on through DeviceRegistry, and
 * the centre's view of the agents (their reported status, /health, /metrics, test reads on their devices).
 */
@Module({
  imports: [DevicesModule],
  controllers: [AgentsController],
  providers: [
    AgentRepository,
    AgentEnrolmentRepository,
    AgentsService,
    EnrolmentsService,
    AgentsMetrics,
    AgentsHealth,
    ActiveAgents,
    AgentPresence,
    AgentLinkSocket,
  ],
  exports: [AgentsService],
})
export class AgentsModule {}

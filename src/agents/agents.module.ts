import { Module } from '@nestjs/common';
import { AgentEnrolmentRepository } from './agent-enrolment.repository';
import { AgentRepository } from './agent.repository';
import { AgentsController } from './agents.controller';
import { AgentsMetrics } from './agents.metrics';
import { AgentsService } from './agents.service';
import { AgentPresence } from './agent-presence';
import { AgentLinkSocket } from './link/agent-link.socket';
import { DevicesModule } from '../devices/devices.module';
import { EnrolmentsService } from './enrolments.service';

/**
 * Desk agents: the central registry (enrolment codes, credentials, list/rename/move/revoke) and the
 * centre's end of the agent link (AgentLinkSocket, /api/v1/agents/link), which authenticates agents
 * through AgentsService.authenticate and passes their devices' events on through DeviceRegistry.
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
    AgentPresence,
    AgentLinkSocket,
  ],
  exports: [AgentsService],
})
export class AgentsModule {}

import { Module } from '@nestjs/common';
import { AgentEnrolmentRepository } from './agent-enrolment.repository';
import { AgentRepository } from './agent.repository';
import { AgentsController } from './agents.controller';
import { AgentsMetrics } from './agents.metrics';
import { AgentsService } from './agents.service';
import { EnrolmentsService } from './enrolments.service';

/**
 * Desk agents: the central registry (enrolment codes, credentials, list/rename/move/revoke).
 * The agent link authenticates agents through AgentsService.authenticate.
 */
@Module({
  controllers: [AgentsController],
  providers: [AgentRepository, AgentEnrolmentRepository, AgentsService, EnrolmentsService, AgentsMetrics],
  exports: [AgentsService],
})
export class AgentsModule {}

import { Module } from '@nestjs/common';
import { CalendarModule } from '../../calendar/calendar.module';
import { UpstreamModule } from '../../upstream/upstream.module';
import { DeclarationController, ReconciliationController } from './declaration.controller';
import { DeclarationJobs } from './declaration.jobs';
import { DeclarationRepository } from './declaration.repository';
import { DeclarationService } from './declaration.service';
import { ReconciliationService } from './reconciliation.service';
import { SettlementFiguresRepository } from './settlement-figures.repository';

/**
 * Money duties (docs/obligations-declaration.md): the monthly declaration (3401, R13) and
 * reconciliation (3201 daily and on demand, 3202 to name the differing settlements), their
 * scheduled jobs (once across instances) and their API. ObligationsService and ScheduledSlots come
 * from the global ObligationsModule.
 */
@Module({
  imports: [CalendarModule, UpstreamModule],
  controllers: [DeclarationController, ReconciliationController],
  providers: [
    SettlementFiguresRepository,
    DeclarationRepository,
    DeclarationService,
    ReconciliationService,
    DeclarationJobs,
  ],
  exports: [DeclarationService, ReconciliationService],
})
export class DeclarationModule {}

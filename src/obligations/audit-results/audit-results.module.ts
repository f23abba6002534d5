import { Module } from '@nestjs/common';
import { UpstreamModule } from '../../upstream/upstream.module';
import { AuditResultsController } from './audit-results.controller';
import { AuditResultsJob } from './audit-results.job';
import { AuditResultsRepository } from './audit-results.repository';
import { AuditResultsReadingService } from './audit-results-reading.service';
import { AuditResultsService } from './audit-results.service';

/**
 * The insurer's audit results (R18): the audit-result duties (owed by the insurer), the job that asks
 * for results (3501) and records their deductions, and the API. ObligationsService and ScheduledSlots
 * come from the global ObligationsModule.
 */
@Module({
  imports: [UpstreamModule],
  controllers: [AuditResultsController],
  providers: [AuditResultsRepository, AuditResultsService, AuditResultsReadingService, AuditResultsJob],
  exports: [AuditResultsService],
})
export class AuditResultsModule {}

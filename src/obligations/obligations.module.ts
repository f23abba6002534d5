import { Global, Module } from '@nestjs/common';
import { CalendarModule } from '../calendar/calendar.module';
import { CrossProvinceModule } from './cross-province/cross-province.module';
import { DeclarationModule } from './declaration/declaration.module';
import { AuditResultsModule } from './audit-results/audit-results.module';
import { InpatientDocumentsModule } from './documents/inpatient-documents.module';
import { ObligationRepository } from './obligation.repository';
import { ObligationsController } from './obligations.controller';
import { ObligationsHealth } from './obligations.health';
import { ObligationsJob } from './obligations.job';
import { ObligationsMetrics } from './obligations.metrics';
import { ObligationsService } from './obligations.service';
import { ScheduledSlots } from './scheduled-slots.service';

/**
 * The duties with deadlines (docs/obligations.md): one table, one service the capabilities open and
 * fulfil their duties through, the deadlines job, the API, /metrics and /health. Global: settlement
 * and the duty modules inject ObligationsService and ScheduledSlots without importing this module.
 */
@Global()
@Module({
  imports: [CalendarModule, CrossProvinceModule, DeclarationModule, AuditResultsModule, InpatientDocumentsModule],
  controllers: [ObligationsController],
  providers: [
    ObligationRepository,
    ObligationsService,
    ScheduledSlots,
    ObligationsJob,
    ObligationsHealth,
    ObligationsMetrics,
  ],
  exports: [ObligationsService, ScheduledSlots],
})
export class ObligationsModule {}

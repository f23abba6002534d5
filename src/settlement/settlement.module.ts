import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { FormsModule } from '../forms/forms.module';
import { IdentityModule } from '../identity/identity.module';
import { TraceCodesModule } from '../trace-codes/trace-codes.module';
import { UpstreamModule } from '../upstream/upstream.module';
import { DifferencesController } from './differences.controller';
import { DifferencesService } from './differences.service';
import { InsurerAwayService } from './insurer-away.service';
import { OutcomeNotifier } from './outcome-notifier.service';
import { SettlementDifferenceRepository } from './settlement-difference.repository';
import { SettleService } from './settle.service';
import { SettlementCancelService } from './settlement-cancel.service';
import { SettlementEventsService } from './settlement-events.service';
import { SettlementOutcomeService } from './settlement-outcome.service';
import { SettlementPreparationService } from './settlement-preparation.service';
import { SettlementReadingService } from './settlement-reading.service';
import { SettlementStatementJob } from './settlement-statement.job';
import { SettlementReviewService } from './settlement-review.service';
import { SettlementReviewController } from './settlement-review.controller';
import { SettlementStatementService } from './settlement-statement.service';
import { SettlementTrialService } from './settlement-trial.service';
import { SettlementRecordRepository } from './settlement-record.repository';
import { CatalogueImportService } from './catalogue-import.service';
import { CatalogueItemRepository } from './catalogue-item.repository';
import { CatalogueMappingService } from './catalogue-mapping.service';
import { CatalogueVersionRepository } from './catalogue-version.repository';
import { FeeLineRepository } from './fee-line.repository';
import { FeeLinesService } from './fee-lines.service';
import { PreAuditService } from './pre-audit.service';
import { SettlementController } from './settlement.controller';
import { SettlementHealth } from './settlement.health';
import { SettlementMetrics } from './settlement.metrics';
import { VisitRepository } from './visit.repository';
import { VisitsService } from './visits.service';
import { ConversionController } from './conversion.controller';
import { ConversionPreparationService } from './conversion-preparation.service';
import { ConversionService } from './conversion.service';
import { SelfPaidRepository } from './self-paid.repository';
import { SelfPaidVisitsService } from './self-paid-visits.service';

/** The repositories: one per table group, all the capability's SQL. */
const REPOSITORIES = [
  CatalogueVersionRepository,
  CatalogueItemRepository,
  VisitRepository,
  FeeLineRepository,
  SettlementRecordRepository,
  SettlementDifferenceRepository,
  SelfPaidRepository,
];
/** The use cases. */
const SERVICES = [
  CatalogueImportService,
  CatalogueMappingService,
  VisitsService,
  FeeLinesService,
  PreAuditService,
  SettlementPreparationService,
  SettlementTrialService,
  SettleService,
  SettlementOutcomeService,
  SettlementReadingService,
  SettlementCancelService,
  SettlementReviewService,
  SettlementStatementService,
  SettlementStatementJob,
  OutcomeNotifier,
  SettlementEventsService,
  InsurerAwayService,
  DifferencesService,
  SelfPaidVisitsService,
  ConversionPreparationService,
  ConversionService,
];
/** What the capability shows in /metrics and /health. */
const OPERATIONS = [SettlementMetrics, SettlementHealth];

/**
 * Settlement (即时结算, 办法 25). So far: the catalogue mapping (编码比对, 协议 19), HIS item codes →
 * the insurer's catalogue codes, versioned (CatalogueMappingService.currentMapping); the visits and
 * fee lines HIS declares; and the local pre-audit, which reads trace codes (SettlementCodesService),
 * the signed self-pay consents (FormReadingService) and the verified worker (VerifiedWorkerService).
 */
@Module({
  imports: [DevicesModule, IdentityModule, FormsModule, TraceCodesModule, UpstreamModule],
  controllers: [SettlementController, SettlementReviewController, DifferencesController, ConversionController],
  providers: [...REPOSITORIES, ...SERVICES, ...OPERATIONS],
  // SettlementReadingService, SettlementStatementService, SettlementOutcomeService, VisitsService: the
  // duty modules (src/obligations/*) read settlements and hear of their settling.
  exports: [
    CatalogueMappingService,
    SettlementReadingService,
    SettlementStatementService,
    SettlementOutcomeService,
    VisitsService,
  ],
})
export class SettlementModule {}

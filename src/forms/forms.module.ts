import { Module, OnModuleInit } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { GatewayConfig, JobRunner } from '../platform';
import { UpstreamModule } from '../upstream/upstream.module';
import { FormContentService } from './form-content.service';
import { FormDocumentRepository } from './form-document.repository';
import { FormDraftsService } from './form-drafts.service';
import { FormReadingService } from './form-reading.service';
import { FORMS_RETENTION_JOB, FormRetentionService } from './form-retention.service';
import { FormSigningService } from './form-signing.service';
import { FormStorageService } from './form-storage.service';
import { FormUploadService } from './form-upload.service';
import { FormsController } from './forms.controller';
import { FormRenderer } from './render/form-renderer';
import { SettlementStatementRenderer } from './statement/settlement-statement-renderer';

/**
 * The forms' lifecycle: drafts filled from HIS and the verified worker, previewed, signed (pad
 * image or scanned copy) into an immutable stored file, uploaded to the insurer through the outbox
 * (9101), acknowledged or rejected by the outbox completion hook, corrected by new versions, and
 * pruned only as retention allows (the `forms.retention` background job). Also draws the settlement
 * statement (费用结算单) for the settlement step: SettlementStatementRenderer, no lifecycle of its own.
 */
@Module({
  imports: [UpstreamModule, IdentityModule],
  controllers: [FormsController],
  providers: [
    FormDocumentRepository,
    {
      provide: FormStorageService,
      useFactory: (config: GatewayConfig) => FormStorageService.fromConfig(config),
      inject: [GatewayConfig],
    },
    {
      provide: FormRenderer,
      useFactory: (config: GatewayConfig) => new FormRenderer({ fontPath: config.forms.fontPath || undefined }),
      inject: [GatewayConfig],
    },
    FormContentService,
    FormReadingService,
    FormDraftsService,
    FormUploadService,
    FormSigningService,
    FormRetentionService,
    SettlementStatementRenderer,
  ],
  exports: [
    FormReadingService,
    FormDraftsService,
    FormSigningService,
    FormRetentionService,
    SettlementStatementRenderer,
    // The inpatient fee list (src/obligations/documents) draws with the same renderer and font.
    FormRenderer,
  ],
})
export class FormsModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobRunner,
    private readonly retention: FormRetentionService,
    private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: FORMS_RETENTION_JOB,
      intervalMs: this.config.forms.retention.intervalMs,
      run: () => this.retention.prune(false),
    });
  }
}

import { Module } from '@nestjs/common';
import { FormsModule } from '../../forms/forms.module';
import { SettlementModule } from '../../settlement/settlement.module';
import { UpstreamModule } from '../../upstream/upstream.module';
import { FeeListRenderer } from './fee-list/fee-list-renderer';
import { HisDocumentRenderer } from './his/his-document-renderer';
import { InpatientDocumentRepository } from './inpatient-document.repository';
import { InpatientDocumentsController } from './inpatient-documents.controller';
import { InpatientDocumentsJob } from './inpatient-documents.job';
import { InpatientDocumentsService } from './inpatient-documents.service';

/**
 * The medical documents of inpatient settlements (R12, issue 14 point 4): HIS's 病案首页 and 出院小结,
 * the gateway's 费用明细清单 and 费用结算单, kept with their SHA-256, uploaded through 9101, owed as an
 * obligation per settlement. Reads settlement through its services; uploads through the outbox.
 */
@Module({
  imports: [FormsModule, SettlementModule, UpstreamModule],
  controllers: [InpatientDocumentsController],
  providers: [
    InpatientDocumentRepository,
    InpatientDocumentsService,
    InpatientDocumentsJob,
    FeeListRenderer,
    HisDocumentRenderer,
  ],
  exports: [InpatientDocumentsService],
})
export class InpatientDocumentsModule {}

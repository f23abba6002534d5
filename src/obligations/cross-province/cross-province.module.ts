import { Module } from '@nestjs/common';
import { SettlementModule } from '../../settlement/settlement.module';
import { UpstreamModule } from '../../upstream/upstream.module';
import { CrossProvinceUploadController } from './cross-province-upload.controller';
import { CrossProvinceUploadService } from './cross-province-upload.service';
import { RehabAssessmentController } from './rehab-assessment.controller';
import { RehabAssessmentService } from './rehab-assessment.service';

/**
 * R11's cross-province upload (3301) of each settlement of a worker insured in another province, and
 * R6's rehab assessment of each rehab admission (docs/obligations.md): duties opened in the
 * transaction of their event, fulfilled by the insurer's receipt or HIS's report.
 */
@Module({
  imports: [SettlementModule, UpstreamModule],
  controllers: [CrossProvinceUploadController, RehabAssessmentController],
  providers: [CrossProvinceUploadService, RehabAssessmentService],
})
export class CrossProvinceModule {}

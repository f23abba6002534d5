import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { CodeCaptureService } from './code-capture.service';
import { DeskLineRepository } from './desk-line.repository';
import { DeskScansService } from './desk-scans.service';
import { DispensingLineRepository } from './dispensing-line.repository';
import { DispensingLinesService } from './dispensing-lines.service';
import { ProductMappingRepository } from './product-mapping.repository';
import { ProductMappingsService } from './product-mappings.service';
import { SettlementCodesService } from './settlement-codes.service';
import { SingleScanRepository } from './single-scan.repository';
import { StockService } from './stock.service';
import { TraceCodeUseRepository } from './trace-code-use.repository';
import { TraceCodeRepository } from './trace-code.repository';
import { TraceCodesController } from './trace-codes.controller';
import { TraceCodesMetrics } from './trace-codes.metrics';

/** The repositories: one per table (and the single scan's statements across them), all the capability's SQL. */
const REPOSITORIES = [
  DispensingLineRepository,
  TraceCodeRepository,
  TraceCodeUseRepository,
  ProductMappingRepository,
  DeskLineRepository,
  SingleScanRepository,
];
/** The use cases. */
const SERVICES = [
  DispensingLinesService,
  CodeCaptureService,
  StockService,
  DeskScansService,
  SettlementCodesService,
  ProductMappingsService,
];

/**
 * Drug traceability codes (药品追溯码, 办法 9). Settlement reads what it needs through
 * SettlementCodesService (completeness, fee-line codes, marking codes uploaded).
 */
@Module({
  imports: [DevicesModule],
  controllers: [TraceCodesController],
  providers: [...REPOSITORIES, ...SERVICES, TraceCodesMetrics],
  exports: [SettlementCodesService],
})
export class TraceCodesModule {}

import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { TraceCodesController } from './trace-codes.controller';
import { TraceCodesMetrics } from './trace-codes.metrics';
import { TraceCodesService } from './trace-codes.service';

@Module({
  imports: [DevicesModule],
  controllers: [TraceCodesController],
  providers: [TraceCodesService, TraceCodesMetrics],
  exports: [TraceCodesService],
})
export class TraceCodesModule {}

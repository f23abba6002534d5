import { Module } from '@nestjs/common';
import { DeviceEvents } from './device-events';
import { DeviceRegistry } from './device-registry';
import { DeviceTestReads } from './device-test-reads';
import { DevicesController } from './devices.controller';
import { DevicesHealth } from './devices.health';
import { DevicesMetrics } from './devices.metrics';
import { DeviceEventsSocket } from './device-events.socket';
import { DeskEventRelay } from './desk-event-relay';
import { UpstreamModule } from '../upstream/upstream.module';

@Module({
  imports: [UpstreamModule],
  controllers: [DevicesController],
  providers: [
    { provide: DeviceEvents, useFactory: () => new DeviceEvents() },
    DeviceRegistry,
    DeviceTestReads,
    DevicesHealth,
    DeviceEventsSocket,
    DeskEventRelay,
    DevicesMetrics,
  ],
  exports: [DeviceEvents, DeviceRegistry, DeviceTestReads],
})
export class DevicesModule {}

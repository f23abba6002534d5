import { Module } from '@nestjs/common';
import { DeviceEvents } from './device-events';
import { DeviceRegistry } from './device-registry';
import { DevicesController } from './devices.controller';
import { DevicesHealth } from './devices.health';

@Module({
  controllers: [DevicesController],
  providers: [{ provide: DeviceEvents, useFactory: () => new DeviceEvents() }, DeviceRegistry, DevicesHealth],
  exports: [DeviceEvents, DeviceRegistry],
})
export class DevicesModule {}

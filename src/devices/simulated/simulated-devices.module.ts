import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices.module';
import { SimulatedDevicesController } from './simulated-devices.controller';

/** Sandbox mode only: hands to operate the simulated devices (see the controller). */
@Module({ imports: [DevicesModule], controllers: [SimulatedDevicesController] })
export class SimulatedDevicesModule {}

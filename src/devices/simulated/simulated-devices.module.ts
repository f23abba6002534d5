import { DynamicModule, Module } from '@nestjs/common';
import { DevicesModule } from '../devices.module';
import { SimulatedDevicesController } from './simulated-devices.controller';
import { SIMULATED_PEOPLE, SimulatedPeople } from './simulated-parts';

/** Sandbox mode only: hands to operate the simulated devices (see the controller), showing `people`'s documents. */
@Module({})
export class SimulatedDevicesModule {
  static register(people: SimulatedPeople): DynamicModule {
    return {
      module: SimulatedDevicesModule,
      imports: [DevicesModule],
      controllers: [SimulatedDevicesController],
      providers: [{ provide: SIMULATED_PEOPLE, useValue: people }],
    };
  }
}

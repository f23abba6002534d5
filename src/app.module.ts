import { DynamicModule, Module } from '@nestjs/common';
import { GATEWAY_FEATURES } from './gateway.features';
import { PlatformModule, PlatformOptions } from './platform';
import { AgentsModule } from './agents/agents.module';
import { ReferenceModule } from './reference/reference.module';
import { CalendarModule } from './calendar/calendar.module';
import { DevicesModule } from './devices/devices.module';
import { SimulatedDevicesModule } from './devices/simulated/simulated-devices.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { SANDBOX_PEOPLE } from './sandbox/simulated-documents';
import { UpstreamModule } from './upstream/upstream.module';
import { IdentityModule } from './identity/identity.module';
import { FormsModule } from './forms/forms.module';
import { TraceCodesModule } from './trace-codes/trace-codes.module';
import { SettlementModule } from './settlement/settlement.module';
import { ObligationsModule } from './obligations/obligations.module';

@Module({})
export class AppModule {
  /** `features` defaults to every feature of the gateway (src/gateway.features.ts). */
  static forRoot(
    appOptions: Omit<PlatformOptions, 'features'> & Partial<Pick<PlatformOptions, 'features'>>,
  ): DynamicModule {
    const options: PlatformOptions = { ...appOptions, features: appOptions.features ?? GATEWAY_FEATURES };
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(options),
        ReferenceModule,
        CalendarModule,
        UpstreamModule,
        DevicesModule,
        AgentsModule,
        IdentityModule,
        FormsModule,
        TraceCodesModule,
        ObligationsModule,
        SettlementModule,
        // The sandbox insurer exists only in sandbox mode: never on a production code path.
        ...(options.config.mode === 'sandbox' && options.config.sandboxInsurer.enabled ? [SandboxModule] : []),
        // Simulated devices are refused outside sandbox mode (config check); so are their controls.
        ...(options.config.mode === 'sandbox' ? [SimulatedDevicesModule.register(SANDBOX_PEOPLE)] : []),
      ],
    };
  }
}

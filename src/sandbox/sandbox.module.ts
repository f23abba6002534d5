import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Clock, GatewayConfig } from '../platform';
import { SIMULATED_CARD_HSM_SECRET } from '../devices/simulated/simulated-parts';
import { readSigningKey, writeSigningKey } from '../upstream/signing-keys';
import { SANDBOX_UPSTREAM_LINK, UpstreamLink } from '../upstream/upstream-link';
import { loadOrCreateInsurerKeys } from './key-files';
import { SandboxInsurer } from './sandbox-insurer';
import { SANDBOX_HSM_SECRET } from './transactions/card-hsm-auth';

const SANDBOX_INSURER = Symbol('SandboxInsurer');

/**
 * Sandbox mode only (AppModule imports it then): starts the sandbox insurer in-process, with
 * keys kept in the data folder, and offers it to the upstream module as the insurer link.
 */
@Global()
@Module({
  providers: [
    {
      provide: SANDBOX_INSURER,
      inject: [GatewayConfig, Clock],
      useFactory: async (
        config: GatewayConfig,
        clock: Clock,
      ): Promise<{ insurer: SandboxInsurer; link: UpstreamLink }> => {
        const keyFile = join(config.dataDir, 'keys', 'upstream-signing.json');
        const signingKey = existsSync(keyFile) ? readSigningKey(keyFile) : writeSigningKey(keyFile, 'gw-sandbox');
        const { keys } = loadOrCreateInsurerKeys(join(config.dataDir, 'sandbox-insurer'), clock.now());
        const insurer = new SandboxInsurer({
          gatewayKeys: { [signingKey.id]: signingKey.publicKey },
          insurerKeys: keys,
          insurerKeyId: keys.id,
          clock,
        });
        const baseUrl = await insurer.start({ host: config.sandboxInsurer.host, port: config.sandboxInsurer.port });
        new Logger('SandboxInsurer').log(`sandbox insurer listening on ${baseUrl}`);
        return { insurer, link: { baseUrl, insurerPublicKey: keys.publicKey, signingKey, source: 'sandbox' } };
      },
    },
    {
      provide: SANDBOX_UPSTREAM_LINK,
      inject: [SANDBOX_INSURER],
      useFactory: (s: { link: UpstreamLink }): UpstreamLink => s.link,
    },
    // Simulated 3rd-generation cards are keyed for this insurer's HSM.
    { provide: SIMULATED_CARD_HSM_SECRET, useValue: SANDBOX_HSM_SECRET },
  ],
  exports: [SANDBOX_UPSTREAM_LINK, SIMULATED_CARD_HSM_SECRET],
})
export class SandboxModule implements OnApplicationShutdown {
  constructor(@Inject(SANDBOX_INSURER) private readonly sandbox: { insurer: SandboxInsurer }) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox.insurer.stop();
  }
}

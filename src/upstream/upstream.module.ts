import { Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AuditService } from '../platform/audit/audit.service';
import { Clock } from '../platform/clock';
import { GatewayConfig } from '../platform/config/gateway-config';
import { UpstreamClient } from './client/upstream-client';
import { Dispatcher } from './outbox/dispatcher';
import { OutboxController } from './outbox/outbox.controller';
import { OutboxService } from './outbox/outbox.service';
import { readSigningKey } from './signing-keys';
import { UpstreamHealth } from './upstream.health';

/** Null when no insurer link is configured: messages then wait in the outbox. */
export const DISPATCHER = Symbol('Dispatcher');

@Module({
  controllers: [OutboxController],
  providers: [
    OutboxService,
    UpstreamHealth,
    {
      provide: DISPATCHER,
      inject: [DataSource, OutboxService, AuditService, Clock, GatewayConfig],
      useFactory: (dataSource: DataSource, outbox: OutboxService, audit: AuditService, clock: Clock, config: GatewayConfig): Dispatcher | null => {
        const upstream = config.upstream;
        if (!upstream.baseUrl || !upstream.dispatcher.enabled) {
          return null;
        }
        const key = readSigningKey(upstream.signing.keyFile);
        const client = new UpstreamClient(upstream, upstream.signing.insurerPublicKey);
        return new Dispatcher(dataSource, outbox, client, key, audit, clock, upstream.dispatcher);
      },
    },
  ],
  exports: [OutboxService, DISPATCHER],
})
export class UpstreamModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UpstreamModule.name);

  constructor(
    private readonly config: GatewayConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    const dispatcher = this.moduleRef.get<Dispatcher | null>(DISPATCHER);
    if (dispatcher) {
      dispatcher.start();
      this.logger.log(`dispatching to ${this.config.upstream.baseUrl} as ${dispatcher.instanceId}`);
    } else {
      this.logger.warn('no insurer link configured (upstream.baseUrl): messages wait in the outbox');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.moduleRef.get<Dispatcher | null>(DISPATCHER)?.stop();
  }
}

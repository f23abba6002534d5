import { Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AuditService, Clock, GatewayConfig, JobRunner, MetricsService, PiiCryptoService } from '../platform';
import { UpstreamClient } from './client/upstream-client';
import { Dispatcher } from './outbox/dispatcher';
import { LinkMonitor } from './link-monitor';
import { OutboxController } from './outbox/outbox.controller';
import { DOCUMENTED_PROFILE, ProtocolProfile, readProfileFile } from './protocol/profile';
import { UpstreamCalls } from './upstream-calls';
import { UpstreamMetrics } from './upstream.metrics';
import { MsgidAllocator } from './outbox/msgid-allocator';
import { MsgidSequenceRepository } from './outbox/msgid-sequence.repository';
import { OutboxMessageRepository } from './outbox/outbox-message.repository';
import { OutboxService } from './outbox/outbox.service';
import { resolveUpstreamLink, SANDBOX_UPSTREAM_LINK, UPSTREAM_LINK, UpstreamLink } from './upstream-link';
import { UpstreamHealth } from './upstream.health';

const PRUNE_INTERVAL_MS = 3600_000;
const UPSTREAM_CLIENT = Symbol('UpstreamClient');
const PROTOCOL_PROFILE = Symbol('ProtocolProfile');

/** Null when no insurer link is configured: messages then wait in the outbox. */
export const DISPATCHER = Symbol('Dispatcher');

@Module({
  controllers: [OutboxController],
  providers: [
    OutboxMessageRepository,
    MsgidSequenceRepository,
    MsgidAllocator,
    OutboxService,
    UpstreamHealth,
    {
      provide: UPSTREAM_LINK,
      inject: [GatewayConfig, { token: SANDBOX_UPSTREAM_LINK, optional: true }],
      useFactory: (config: GatewayConfig, sandbox?: UpstreamLink | null): UpstreamLink | null =>
        resolveUpstreamLink(config.upstream, sandbox),
    },
    {
      provide: LinkMonitor,
      inject: [Clock, GatewayConfig],
      useFactory: (clock: Clock, config: GatewayConfig) =>
        new LinkMonitor(clock, {
          emergencyAfterMs: config.upstream.emergency.afterMs,
          probeIntervalMs: config.upstream.emergency.probeIntervalMs,
        }),
    },
    {
      provide: UpstreamMetrics,
      inject: [MetricsService, UpstreamHealth, LinkMonitor],
      useFactory: (metrics: MetricsService, health: UpstreamHealth, monitor: LinkMonitor) => {
        const upstreamMetrics = new UpstreamMetrics(metrics.registry, () => health.snapshot());
        monitor.on('mode', (change) => upstreamMetrics.emergency.set(change.mode === 'emergency' ? 1 : 0));
        return upstreamMetrics;
      },
    },
    {
      provide: UPSTREAM_CLIENT,
      inject: [GatewayConfig, UPSTREAM_LINK],
      useFactory: (config: GatewayConfig, link: UpstreamLink | null): UpstreamClient | null =>
        link ? new UpstreamClient({ ...config.upstream, baseUrl: link.baseUrl }, link.insurerPublicKey) : null,
    },
    {
      provide: PROTOCOL_PROFILE,
      inject: [GatewayConfig],
      useFactory: (config: GatewayConfig): ProtocolProfile =>
        config.upstream.profileFile ? readProfileFile(config.upstream.profileFile) : DOCUMENTED_PROFILE,
    },
    {
      provide: UpstreamCalls,
      inject: [UPSTREAM_CLIENT, UPSTREAM_LINK, OutboxService, LinkMonitor, PROTOCOL_PROFILE],
      useFactory: (
        client: UpstreamClient | null,
        link: UpstreamLink | null,
        outbox: OutboxService,
        monitor: LinkMonitor,
        profile: ProtocolProfile,
      ) => new UpstreamCalls(client && link ? { client, key: link.signingKey } : null, outbox, monitor, profile),
    },
    {
      provide: DISPATCHER,
      inject: [
        DataSource,
        OutboxService,
        AuditService,
        Clock,
        GatewayConfig,
        UPSTREAM_LINK,
        UPSTREAM_CLIENT,
        LinkMonitor,
        UpstreamMetrics,
        PROTOCOL_PROFILE,
        PiiCryptoService,
      ],
      useFactory: (
        dataSource: DataSource,
        outbox: OutboxService,
        audit: AuditService,
        clock: Clock,
        config: GatewayConfig,
        link: UpstreamLink | null,
        client: UpstreamClient | null,
        monitor: LinkMonitor,
        metrics: UpstreamMetrics,
        profile: ProtocolProfile,
        pii: PiiCryptoService,
      ): Dispatcher | null => {
        if (!link || !client || !config.upstream.dispatcher.enabled) {
          return null;
        }
        return new Dispatcher({
          dataSource,
          outbox,
          client,
          key: link.signingKey,
          audit,
          clock,
          config: config.upstream.dispatcher,
          monitor,
          metrics,
          profile,
          pii,
        });
      },
    },
  ],
  exports: [OutboxService, UpstreamCalls, DISPATCHER, UPSTREAM_LINK, LinkMonitor],
})
export class UpstreamModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UpstreamModule.name);

  constructor(
    private readonly config: GatewayConfig,
    private readonly moduleRef: ModuleRef,
    private readonly jobs: JobRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.moduleRef.get(LinkMonitor).on('mode', (change) => {
      if (change.mode === 'emergency') {
        this.logger.warn(
          { unreachableForMs: change.unreachableForMs, lastContactAt: change.lastContactAt },
          'insurer unreachable: EMERGENCY MODE — messages queue and are sent when the link returns',
        );
      } else {
        this.logger.log('insurer reachable again: emergency mode ended, draining the backlog');
      }
    });
    this.schedulePruning();
    const dispatcher = this.moduleRef.get<Dispatcher | null>(DISPATCHER);
    const link = this.moduleRef.get<UpstreamLink | null>(UPSTREAM_LINK);
    if (dispatcher && link) {
      dispatcher.start();
      this.logger.log(`dispatching to ${link.baseUrl} (${link.source}) as ${dispatcher.instanceId}`);
    } else {
      this.logger.warn('no insurer link configured (upstream.baseUrl): messages wait in the outbox');
    }
  }

  /** Retention of delivered bodies (see OutboxService.prune): at start, then hourly. */
  private schedulePruning(): void {
    const days = this.config.upstream.dispatcher.keepDeliveredBodiesDays;
    const outbox = this.moduleRef.get(OutboxService);
    this.jobs.register({
      name: 'outbox.prune',
      intervalMs: PRUNE_INTERVAL_MS,
      runAtStart: true,
      run: async () => {
        const { bodiesPruned } = await outbox.prune(days);
        if (bodiesPruned > 0) {
          this.logger.log(`retention: pruned the bodies of ${bodiesPruned} delivered messages older than ${days} days`);
        }
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.moduleRef.get<Dispatcher | null>(DISPATCHER)?.stop();
  }
}

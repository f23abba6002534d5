import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../platform/clock';
import { ComponentHealth, HealthContributor, HealthRegistry } from '../platform/health/health.registry';
import { OutboxService } from './outbox/outbox.service';
import { UPSTREAM_LINK, UpstreamLink } from './upstream-link';

/** The insurer link in /health: queue depth by status and the age of the oldest waiting message. */
@Injectable()
export class UpstreamHealth implements HealthContributor, OnModuleInit {
  readonly name = 'upstream';
  // The gateway keeps working (messages queue) while the insurer is away.
  readonly critical = false;

  constructor(
    private readonly outbox: OutboxService,
    private readonly dataSource: DataSource,
    @Inject(UPSTREAM_LINK) private readonly link: UpstreamLink | null,
    private readonly clock: Clock,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<ComponentHealth> {
    const counts = await this.outbox.countByStatus();
    const rows = await this.dataSource.query<{ oldest: string | Date | null }[]>(
      `SELECT MIN(created_at) AS oldest FROM outbox_message WHERE status IN ('pending', 'unknown', 'sending')`,
    );
    const oldest = rows[0]?.oldest ? new Date(typeof rows[0].oldest === 'string' ? `${rows[0].oldest.replace(' ', 'T')}Z` : rows[0].oldest) : null;
    return {
      status: this.link ? 'up' : 'degraded',
      detail: this.link ? `${this.link.baseUrl} (${this.link.source})` : 'no insurer link configured (upstream.baseUrl): messages wait in the outbox',
      queue: counts,
      oldestWaitingSeconds: oldest ? Math.round((this.clock.now().getTime() - oldest.getTime()) / 1000) : 0,
    };
  }
}

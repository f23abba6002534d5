import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, ComponentHealth, HealthContributor, HealthRegistry } from '../platform';
import { OutboxService } from './outbox/outbox.service';
import { LinkMonitor } from './link-monitor';
import { UPSTREAM_LINK, UpstreamLink } from './upstream-link';
import type { QueueSnapshot } from './upstream.metrics';

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
    private readonly monitor: LinkMonitor,
    private readonly clock: Clock,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /** Queue depth by status and the age of the oldest message still on its way (also for /metrics). */
  async snapshot(): Promise<QueueSnapshot> {
    const counts = await this.outbox.countByStatus();
    const rows = await this.dataSource.query<{ oldest: string | Date | null }[]>(
      `SELECT MIN(created_at) AS oldest FROM outbox_message WHERE status IN ('pending', 'unknown', 'sending')`,
    );
    const raw = rows[0]?.oldest;
    // SQLite hands back TypeORM's UTC text, PostgreSQL a Date.
    const oldest = raw ? (typeof raw === 'string' ? new Date(`${raw.replace(' ', 'T')}Z`) : raw) : null;
    return {
      counts,
      oldestWaitingSeconds: oldest
        ? Math.max(0, Math.round((this.clock.now().getTime() - oldest.getTime()) / 1000))
        : 0,
    };
  }

  async check(): Promise<ComponentHealth> {
    const { counts, oldestWaitingSeconds } = await this.snapshot();
    const emergency = this.monitor.mode === 'emergency';
    return {
      status: this.link && !emergency ? 'up' : 'degraded',
      detail: this.link
        ? `${this.link.baseUrl} (${this.link.source})${emergency ? ' — EMERGENCY MODE: insurer unreachable, messages queue' : ''}`
        : 'no insurer link configured (upstream.baseUrl): messages wait in the outbox',
      mode: this.monitor.mode,
      lastContactAt: this.monitor.lastContactAt?.toISOString() ?? null,
      unreachableSince: this.monitor.unreachableSince?.toISOString() ?? null,
      queue: counts,
      oldestWaitingSeconds,
    };
  }
}

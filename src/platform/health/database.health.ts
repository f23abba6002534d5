import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway-config';
import { describeTarget, parseDatabaseUrl } from '../database/database-url';
import { ComponentHealth, HealthContributor, HealthRegistry } from './health.registry';
import { ProbeCache } from './probe-cache';

/** How long one database probe answers /health (a database outage shows within this, plus the probe). */
export const DATABASE_PROBE_MAX_AGE_MS = 1000;

@Injectable()
export class DatabaseHealth implements HealthContributor, OnModuleInit {
  readonly name = 'database';
  readonly critical = true;
  private readonly recent = new ProbeCache<ComponentHealth>(DATABASE_PROBE_MAX_AGE_MS);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: GatewayConfig,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /** The database's health as last probed, at most DATABASE_PROBE_MAX_AGE_MS ago. */
  check(): Promise<ComponentHealth> {
    return this.recent.get(() => this.probe());
  }

  private async probe(): Promise<ComponentHealth> {
    const started = process.hrtime.bigint();
    await this.dataSource.query('SELECT 1');
    const pending = await this.dataSource.showMigrations();
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    return {
      status: pending ? 'degraded' : 'up',
      detail: describeTarget(parseDatabaseUrl(this.config.database.url, this.config.dataDir)),
      latencyMs: Math.round(latencyMs * 100) / 100,
      ...(pending ? { migrations: 'pending — run: npm run gateway -- migrate' } : {}),
    };
  }
}

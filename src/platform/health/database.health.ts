import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway-config';
import { databaseUnavailableCause } from '../database/database-errors';
import { describeTarget, parseDatabaseUrl } from '../database/database-url';
import { ComponentHealth, HealthContributor, HealthRegistry } from './health.registry';

@Injectable()
export class DatabaseHealth implements HealthContributor, OnModuleInit {
  readonly name = 'database';
  readonly critical = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: GatewayConfig,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /** When the database was first seen unreachable in the outage going on (undefined while it answers). */
  private downSince: Date | undefined;

  /**
   * Each check asks the database anew (a new pooled connection after a restart): down while it cannot
   * be reached — requests meanwhile answer 503 DATABASE_UNAVAILABLE — and up again by itself after.
   */
  async check(): Promise<ComponentHealth> {
    const target = describeTarget(parseDatabaseUrl(this.config.database.url, this.config.dataDir));
    const started = process.hrtime.bigint();
    let pending: boolean;
    try {
      await this.dataSource.query('SELECT 1');
      pending = await this.dataSource.showMigrations();
    } catch (err) {
      const cause = databaseUnavailableCause(err);
      this.downSince ??= new Date();
      const reason = (cause ?? (err instanceof Error ? err : new Error(String(err)))).message.slice(0, 200);
      return {
        status: 'down',
        detail: `${target}: ${cause ? 'unreachable' : 'check failed'} (${reason})`,
        downSince: this.downSince.toISOString(),
      };
    }
    this.downSince = undefined;
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    return {
      status: pending ? 'degraded' : 'up',
      detail: target,
      latencyMs: Math.round(latencyMs * 100) / 100,
      ...(pending ? { migrations: 'pending — run: npm run gateway -- migrate' } : {}),
    };
  }
}

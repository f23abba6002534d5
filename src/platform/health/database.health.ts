import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway-config';
import { databaseUnavailableCause } from '../database/database-errors';
import { describeTarget, parseDatabaseUrl } from '../database/database-url';
import { SqlDialect } from '../database/sql-dialect';
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

  /** When the database was first seen unreachable in the outage going on (undefined while it answers). */
  private downSince: Date | undefined;

  /** The database's health as last probed, at most DATABASE_PROBE_MAX_AGE_MS ago. */
  check(): Promise<ComponentHealth> {
    return this.recent.get(() => this.probe());
  }

  /**
   * Each probe asks the database anew (a new pooled connection after a restart): down while it cannot
   * be reached — requests meanwhile answer 503 DATABASE_UNAVAILABLE — and up again by itself after.
   */
  private async probe(): Promise<ComponentHealth> {
    const target = describeTarget(parseDatabaseUrl(this.config.database.url, this.config.dataDir));
    const started = process.hrtime.bigint();
    let pending: boolean;
    try {
      if (SqlDialect.of(this.dataSource).pg) {
        // A standby answers reads but refuses every write: after a failover the URL must lead to the new primary.
        const [{ standby }] = await this.dataSource.query<Array<{ standby: boolean }>>(
          'SELECT pg_is_in_recovery() AS standby',
        );
        if (standby) {
          return this.down(
            `${target}: a read-only standby, not the primary (database.url must lead to the primary: a failover not finished, or the address points at the replica)`,
          );
        }
      } else {
        await this.dataSource.query('SELECT 1');
      }
      pending = await this.dataSource.showMigrations();
    } catch (err) {
      const cause = databaseUnavailableCause(err);
      const reason = (cause ?? (err instanceof Error ? err : new Error(String(err)))).message.slice(0, 200);
      return this.down(`${target}: ${cause ? 'unreachable' : 'check failed'} (${reason})`);
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

  private down(detail: string): ComponentHealth {
    this.downSince ??= new Date();
    return { status: 'down', detail, downSince: this.downSince.toISOString() };
  }
}

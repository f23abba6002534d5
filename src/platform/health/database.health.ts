import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway-config';
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

  async check(): Promise<ComponentHealth> {
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

import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { beijingMinute } from '../beijing-time';
import { Clock } from '../clock';
import { GatewayConfig } from '../config/gateway-config';
import { ComponentHealth, HealthContributor, HealthRegistry } from '../health/health.registry';
import { JobRunner } from '../jobs/job-runner';
import { ApiKeyRepository } from './api-key.repository';

const DAY_MS = 86_400_000;
/** /health is asked often (load balancers): the list is read at most this often. */
const HEALTH_CACHE_MS = 60_000;

export interface ExpiringKey {
  id: string;
  name: string;
  expiresAt: string;
  expired: boolean;
}

/**
 * Warns ahead of API-key expiry (`apiKeys.expiryWarningDays`, 14 by default): /health `apiKeys`
 * is degraded (not down) while a key that is not revoked expires within that many days or expired
 * within the last that many days, naming them; the job `apikeys.expiry-warning` logs the same list at
 * start and daily, so IT hears of it before HIS gets AUTH_KEY_EXPIRED.
 */
@Injectable()
export class ApiKeyExpiryWatch implements HealthContributor, OnModuleInit {
  readonly name = 'apiKeys';
  readonly critical = false;
  private readonly logger = new Logger('ApiKeyExpiry');
  private cached: { at: number; keys: ExpiringKey[] } | undefined;

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly clock: Clock,
    private readonly config: GatewayConfig,
    private readonly registry: HealthRegistry,
    private readonly jobs: JobRunner,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
    this.jobs.register({
      name: 'apikeys.expiry-warning',
      intervalMs: DAY_MS,
      runAtStart: true,
      run: () => this.warn(),
    });
  }

  /** Keys expiring within the warning period, or expired within it and not revoked. */
  async expiring(): Promise<ExpiringKey[]> {
    const now = this.clock.now();
    const span = this.config.apiKeys.expiryWarningDays * DAY_MS;
    const rows = await this.keys.expiringBetween(new Date(now.getTime() - span), new Date(now.getTime() + span));
    return rows.map((k) => ({
      id: k.id,
      name: k.name,
      expiresAt: (k.expiresAt as Date).toISOString(),
      expired: (k.expiresAt as Date).getTime() <= now.getTime(),
    }));
  }

  async warn(): Promise<void> {
    const keys = await this.expiring();
    if (keys.length > 0) {
      this.logger.warn(
        {
          keys: keys.map((k) => ({ ...k, expiresAtBeijing: beijingMinute(new Date(k.expiresAt)) })),
        },
        `API keys expire within ${this.config.apiKeys.expiryWarningDays} days (or have expired): make new ones with gateway apikey create … --expires-in, then revoke these`,
      );
    }
  }

  async check(): Promise<ComponentHealth> {
    const at = Date.now();
    if (!this.cached || at - this.cached.at >= HEALTH_CACHE_MS) {
      this.cached = { at, keys: await this.expiring() };
    }
    const keys = this.cached.keys;
    if (keys.length === 0) {
      return { status: 'up', detail: `no API key expires within ${this.config.apiKeys.expiryWarningDays} days` };
    }
    return {
      status: 'degraded',
      detail: `${keys.length} API key(s) expire within ${this.config.apiKeys.expiryWarningDays} days or have expired: replace them (gateway apikey create … --expires-in)`,
      keys,
    };
  }
}

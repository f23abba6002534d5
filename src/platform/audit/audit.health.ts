import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock';
import { GatewayConfig } from '../config/gateway-config';
import { ComponentHealth, HealthContributor, HealthRegistry } from '../health/health.registry';
import { ProbeCache } from '../health/probe-cache';
import { AuditChainRepository } from './audit-chain.repository';

/** The audit chain's /health answer is reused this long (three small indexed queries per probe). */
const AUDIT_PROBE_MAX_AGE_MS = 5000;

/**
 * `/health` → `components.audit` (not critical): sealed up to, entries waiting to be sealed and the
 * last checkpoint; degraded when an entry has waited longer than audit.maxUnsealedMinutes (no sealer
 * is running, so the trail is not being chained).
 */
@Injectable()
export class AuditHealth implements HealthContributor, OnModuleInit {
  readonly name = 'audit';
  readonly critical = false;
  private readonly recent = new ProbeCache<ComponentHealth>(AUDIT_PROBE_MAX_AGE_MS);

  constructor(
    private readonly chain: AuditChainRepository,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  check(): Promise<ComponentHealth> {
    return this.recent.get(() => this.probe());
  }

  private async probe(): Promise<ComponentHealth> {
    const head = await this.chain.head();
    const unsealed = await this.chain.unsealedSummary();
    const checkpoint = await this.chain.latestCheckpoint('periodic');
    const waitedMs = unsealed.oldest ? this.clock.now().getTime() - unsealed.oldest.at.getTime() : 0;
    const late = waitedMs > this.config.audit.maxUnsealedMinutes * 60_000;
    return {
      status: late ? 'degraded' : 'up',
      detail: late
        ? `audit entries wait to be sealed for ${Math.round(waitedMs / 60_000)} min: is the audit.seal job failing? (docs/operations.md#verifying-the-audit-trail)`
        : `audit chain sealed up to seq ${head.seq}`,
      sealedUpTo: head.seq,
      unsealed: unsealed.count,
      lastCheckpoint: checkpoint ? { seq: checkpoint.seq, at: checkpoint.at.toISOString() } : null,
    };
  }
}

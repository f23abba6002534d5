import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock, ComponentHealth, GatewayConfig, HealthContributor, HealthRegistry, Transactions } from '../platform';
import { SettlementDifferenceRepository } from './settlement-difference.repository';
import { SettlementRecordRepository } from './settlement-record.repository';

/**
 * Settlement in /health: `degraded` while settlements need someone — `unknown`: pending longer
 * than settlement.waitForOutcomeMs (the desk was told 202; the insurer has not answered), and
 * `needsReview`: the insurer answered but its reply failed the checks (IT resolves it); `provisional`:
 * settled provisionally while the insurer was away, waiting for it; `openDifferences`: amounts the desk
 * still has to collect or refund after one. Not critical: the gateway keeps working.
 */
@Injectable()
export class SettlementHealth implements HealthContributor, OnModuleInit {
  readonly name = 'settlement';
  readonly critical = false;

  constructor(
    private readonly transactions: Transactions,
    private readonly records: SettlementRecordRepository,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly registry: HealthRegistry,
    private readonly differences: SettlementDifferenceRepository,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<ComponentHealth> {
    const waitMs = this.config.settlement.waitForOutcomeMs;
    const since = new Date(this.clock.now().getTime() - waitMs);
    const reader = this.transactions.reader;
    const { unknown, needsReview, provisional } = await this.records.needingAttention(reader, since);
    const openDifferences = await this.differences.openCount(reader);
    const problems = [
      unknown > 0 ? `${unknown} settlement(s) pending longer than ${waitMs} ms (outcome unknown)` : '',
      needsReview > 0 ? `${needsReview} settlement(s) need review (the insurer's reply failed the checks)` : '',
      provisional > 0
        ? `${provisional} provisional settlement(s) made while the insurer was away, waiting to be sent`
        : '',
      openDifferences > 0
        ? `${openDifferences} difference(s) between provisional and final settlements to collect or refund`
        : '',
    ].filter((p) => p !== '');
    return {
      status: problems.length > 0 ? 'degraded' : 'up',
      detail: problems.length > 0 ? problems.join('; ') : 'no settlement waiting on the insurer or on review',
      unknown,
      needsReview,
      provisional,
      openDifferences,
    };
  }
}

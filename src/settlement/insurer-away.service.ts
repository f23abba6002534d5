import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, GatewayConfig, systemPrincipal, uuidv7 } from '../platform';
import { LinkMonitor } from '../upstream/link-monitor';
import type { PreAuditResult } from './rules/pre-audit-result';
import { type ProvisionalSplit, provisionalSplit, settlementDifference } from './rules/provisional-settlement';
import type { SettlementMessage } from './rules/settlement-message';
import type { SettlementDifferenceRow } from './settlement-difference.entity';
import { SettlementDifferenceRepository } from './settlement-difference.repository';
import { SettlementRecordRepository } from './settlement-record.repository';
import { SettlementMetrics } from './settlement.metrics';
import type { SettlementRecord } from './settlement.entity';
import { SETTLEMENT_ERRORS } from './settlement.errors';

/** How a settlement request goes given the insurer link: as usual, or provisional (emergency mode, `queue`). */
export type SettleMode = 'normal' | 'provisional';

/**
 * Settling while the insurer is away (R14, 协议 25 应急预案). At settle time: with the link in
 * emergency mode, `settlement.whenInsurerDown: refuse` answers 503 before anything is written; `queue`
 * makes the settlement provisional (the message queued as usual, the desk collecting by the local
 * pre-audit's split). In the outcome hook's transaction: a provisional settlement's outcome is
 * compared with its provisional split, and a difference is recorded for the desk to collect or refund.
 */
@Injectable()
export class InsurerAwayService {
  private readonly actor = systemPrincipal('upstream.dispatcher');

  constructor(
    private readonly config: GatewayConfig,
    private readonly monitor: LinkMonitor,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly differences: SettlementDifferenceRepository,
    private readonly records: SettlementRecordRepository,
    private readonly metrics: SettlementMetrics,
  ) {}

  /** After the settle transaction committed: a provisional settlement counted. */
  committed(record: SettlementRecord): void {
    if (record.status === 'provisional') {
      this.metrics.provisional(record.kind);
    }
  }

  /** `normal` while the link is; in emergency mode `provisional`, or 503 SETTLEMENT_INSURER_DOWN (`refuse`). */
  settleMode(): SettleMode {
    if (this.monitor.mode !== 'emergency') {
      return 'normal';
    }
    if (this.config.settlement.whenInsurerDown === 'refuse') {
      throw SETTLEMENT_ERRORS.raise('SETTLEMENT_INSURER_DOWN');
    }
    return 'provisional';
  }

  /** The provisional split of a message and its pre-audit, as stored on the record (JSON). */
  provisionalSplit(message: SettlementMessage, audit: PreAuditResult): string {
    return JSON.stringify(provisionalSplit(message, audit));
  }

  /**
   * In the outcome hook's transaction, once a provisional settlement became settled or rejected: what
   * the worker pays now against what the desk collected; a difference is recorded and audited. Settled:
   * the final desk amount. Rejected: no settlement at the insurer, so the fund's provisional part is
   * the worker's too (unless the visit is settled again; staff resolve the difference then). Nothing
   * for a settlement that was not provisional, or whose outcome is needs-review (no split believed).
   */
  async compare(m: EntityManager, after: SettlementRecord): Promise<SettlementDifferenceRow | undefined> {
    if (after.provisionalSplit === null || (after.status !== 'settled' && after.status !== 'rejected')) {
      return undefined;
    }
    const provisional = JSON.parse(after.provisionalSplit) as ProvisionalSplit;
    const finalFen =
      after.status === 'settled'
        ? (after.deskCollectsFen as number)
        : provisional.deskCollectsFen + provisional.fundFen;
    const difference = settlementDifference(provisional.deskCollectsFen, finalFen);
    if (difference === null) {
      return undefined;
    }
    const row: SettlementDifferenceRow = {
      id: uuidv7(),
      settlementId: after.id,
      mdtrtId: after.mdtrtId,
      cause: after.status === 'settled' ? 'split-differs' : 'rejected',
      provisionalFen: provisional.deskCollectsFen,
      finalFen,
      differenceFen: difference.differenceFen,
      direction: difference.direction,
      state: 'open',
      desk: after.desk,
      createdAt: this.clock.now(),
      resolvedBy: null,
      resolvedAt: null,
      resolutionNote: null,
    };
    if (!(await this.differences.insert(m, row))) {
      return undefined;
    }
    await this.audit.record(
      {
        actor: this.actor,
        action: 'settlement.difference',
        outcome: 'success',
        details: {
          settlementId: after.id,
          visitId: after.mdtrtId,
          differenceId: row.id,
          cause: row.cause,
          provisionalFen: row.provisionalFen,
          finalFen: row.finalFen,
          differenceFen: row.differenceFen,
          direction: row.direction,
        },
      },
      m,
    );
    this.records.afterCommit(m, () => this.metrics.difference(row.direction));
    return row;
  }
}

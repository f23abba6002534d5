import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DifferenceDirection } from './rules/provisional-settlement';

/** open: the desk still has to collect or refund; done: resolved by staff (who, when, note). */
export type DifferenceState = 'open' | 'done';

/** split-differs: the insurer's split is not the provisional one; rejected: the insurer refused the settlement. */
export type DifferenceCause = 'split-differs' | 'rejected';

/**
 * An amount to collect from or refund to a worker after a settlement made while the insurer was away
 * (migration SettlementProvisional): what the desk collected under the provisional split against what
 * the worker pays under the insurer's outcome. At most one per settlement.
 * settlement-difference.repository.ts holds its SQL.
 */
@Entity({ name: 'settlement_difference' })
@Index('ux_settlement_difference_settlement', ['settlementId'], { unique: true })
@Index('ix_settlement_difference_state', ['state', 'createdAt'])
export class SettlementDifferenceRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** settlement_record.id. */
  @Column({ name: 'settlement_id', type: 'varchar', length: 36 })
  settlementId: string;

  /** The HIS visit id. */
  @Column({ name: 'mdtrt_id', type: 'varchar', length: 64 })
  mdtrtId: string;

  @Column({ type: 'varchar', length: 16 })
  cause: DifferenceCause;

  /** What the desk collected under the provisional split (fen). */
  @Column({ name: 'provisional_fen', type: 'bigint' })
  provisionalFen: number;

  /** What the worker pays under the insurer's outcome (fen). */
  @Column({ name: 'final_fen', type: 'bigint' })
  finalFen: number;

  /** |final − provisional| (fen), above 0. */
  @Column({ name: 'difference_fen', type: 'bigint' })
  differenceFen: number;

  @Column({ type: 'varchar', length: 8 })
  direction: DifferenceDirection;

  @Column({ type: 'varchar', length: 8 })
  state: DifferenceState;

  /** The desk the settlement was requested from, if named. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  desk: string | null;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'resolved_by', type: 'varchar', length: 100, nullable: true })
  resolvedBy: string | null;

  @Column({ name: 'resolved_at', type: Date, nullable: true })
  resolvedAt: Date | null;

  @Column({ name: 'resolution_note', type: 'text', nullable: true })
  resolutionNote: string | null;
}

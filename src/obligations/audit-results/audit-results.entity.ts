import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The insurer's audit results (R18, 办法 16; migration InsurerAuditResults). audit-results.repository.ts
 * holds their SQL.
 *
 * - insurer_audit_watch: one row per settled settlement the gateway watches for its audit result —
 *   when it asks the insurer next (3501), how often it asked, the last problem, the latest version
 *   recorded. pending: no result yet; done: a result recorded (still asked, rarely, for amendments);
 *   closed: no longer asked (the settlement was cancelled, or the amendment watch ended).
 * - insurer_audit_result: each version of a settlement's result as the insurer answered it, written
 *   once (an amendment adds a version; nothing recorded is changed).
 * - insurer_audit_deduction: the deductions (扣款) of a version, per fee line, with the reason.
 */
export type AuditWatchState = 'pending' | 'done' | 'closed';

@Entity({ name: 'insurer_audit_watch' })
@Index('ix_insurer_audit_watch_next', ['state', 'nextCheckAt'])
export class InsurerAuditWatch {
  /** settlement_record.id. */
  @PrimaryColumn({ name: 'settlement_id', type: 'varchar', length: 36 }) settlementId: string;
  @Column({ name: 'setl_id', type: 'varchar', length: 40 }) setlId: string;
  @Column({ name: 'mdtrt_id', type: 'varchar', length: 64 }) mdtrtId: string;
  @Column({ name: 'psn_no', type: 'varchar', length: 32 }) psnNo: string;
  @Column({ name: 'settled_at' }) settledAt: Date;
  /** 'yyyy-MM-dd' (Beijing): the last of the insurer's 30 days (the obligation's due day). */
  @Column({ name: 'due_on', type: 'varchar', length: 10 }) dueOn: string;
  @Column({ type: 'varchar', length: 8 }) state: AuditWatchState;
  @Column({ name: 'closed_reason', type: 'varchar', length: 200, nullable: true }) closedReason: string | null;
  /** The latest version recorded; null before the first result. */
  @Column({ name: 'latest_version', type: 'integer', nullable: true }) latestVersion: number | null;
  /** Questions asked (3501), answered or not. */
  @Column({ type: 'integer' }) checks: number;
  @Column({ name: 'last_checked_at', type: Date, nullable: true }) lastCheckedAt: Date | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  /** When to ask next; null once closed. */
  @Column({ name: 'next_check_at', type: Date, nullable: true }) nextCheckAt: Date | null;
  @Column({ name: 'created_at' }) createdAt: Date;
}

@Entity({ name: 'insurer_audit_result' })
export class InsurerAuditResult {
  @PrimaryColumn({ name: 'settlement_id', type: 'varchar', length: 36 }) settlementId: string;
  @PrimaryColumn({ type: 'integer' }) version: number;
  @Column({ name: 'setl_id', type: 'varchar', length: 40 }) setlId: string;
  /** When the insurer audited this version (its audit_time). */
  @Column({ name: 'audited_at' }) auditedAt: Date;
  /** When the gateway read it, and the msgid of the 3501 it came in. */
  @Column({ name: 'fetched_at' }) fetchedAt: Date;
  @Column({ type: 'varchar', length: 30 }) msgid: string;
  @Column({ name: 'fund_fen', type: 'bigint' }) fundFen: number;
  @Column({ name: 'deducted_fen', type: 'bigint' }) deductedFen: number;
  @Column({ name: 'approved_fen', type: 'bigint' }) approvedFen: number;
  @Column({ name: 'deduction_count', type: 'integer' }) deductionCount: number;
}

@Entity({ name: 'insurer_audit_deduction' })
export class InsurerAuditDeduction {
  @PrimaryColumn({ name: 'settlement_id', type: 'varchar', length: 36 }) settlementId: string;
  @PrimaryColumn({ type: 'integer' }) version: number;
  /** 1, 2 … in the insurer's order. */
  @PrimaryColumn({ type: 'integer' }) seq: number;
  /** The fee line (feedetl_sn = the HIS line id). */
  @Column({ name: 'line_id', type: 'varchar', length: 64 }) lineId: string;
  @Column({ name: 'item_code', type: 'varchar', length: 50 }) itemCode: string;
  @Column({ name: 'item_name', type: 'varchar', length: 500 }) itemName: string;
  @Column({ name: 'line_amount_fen', type: 'bigint' }) lineAmountFen: number;
  @Column({ name: 'line_fund_fen', type: 'bigint' }) lineFundFen: number;
  @Column({ name: 'amount_fen', type: 'bigint' }) amountFen: number;
  @Column({ name: 'reason_code', type: 'varchar', length: 16 }) reasonCode: string;
  @Column({ type: 'varchar', length: 500 }) reason: string;
}

export const AUDIT_RESULT_ENTITIES = [InsurerAuditWatch, InsurerAuditResult, InsurerAuditDeduction];

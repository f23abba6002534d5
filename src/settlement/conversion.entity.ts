import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Tables of 自费转工伤 (migration SettlementConversion): which visits were paid by the worker as
 * self-pay before the injury determination, whose they are (by the keyed hash of the ID number:
 * such a visit may have no person number yet) and their receipts. self-paid.repository.ts holds
 * their SQL.
 */

/** A visit recorded as paid by the worker before the determination (one row per settlement_visit). */
@Entity({ name: 'settlement_self_paid_visit' })
@Index('ix_settlement_self_paid_visit_person', ['personKey'])
export class SelfPaidVisitRow {
  /** settlement_visit.id. */
  @PrimaryColumn({ name: 'visit_id', type: 'varchar', length: 36 })
  visitId: string;

  /** The person key (identity's personKey: keyed hash of the normalized ID number), for lookups. */
  @Column({ name: 'person_key', type: 'varchar', length: 64 })
  personKey: string;

  /** The ID number and name HIS gave, encrypted (PII context settlement_self_paid_visit.person). */
  @Column({ name: 'person_enc', type: 'text' })
  personEnc: string;

  /** The receipts' total, integer fen. */
  @Column({ name: 'paid_fen', type: 'bigint' })
  paidFen: number;

  @Column({ name: 'recorded_by', type: 'varchar', length: 100 })
  recordedBy: string;

  @Column({ name: 'recorded_at' })
  recordedAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

/** One receipt (收据 / 发票) of a self-paid visit. */
@Entity({ name: 'settlement_receipt' })
@Index('ux_settlement_receipt_visit_no', ['visitId', 'receiptNo'], { unique: true })
export class SettlementReceiptRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** settlement_visit.id. */
  @Column({ name: 'visit_id', type: 'varchar', length: 36 })
  visitId: string;

  /** The receipt or invoice number. */
  @Column({ name: 'receipt_no', type: 'varchar', length: 64 })
  receiptNo: string;

  @Column({ name: 'amount_fen', type: 'bigint' })
  amountFen: number;

  /** 'yyyy-MM-dd'. */
  @Column({ name: 'paid_date', type: 'varchar', length: 10 })
  paidDate: string;

  @Column({ name: 'created_at' })
  createdAt: Date;
}

export const CONVERSION_ENTITIES = [SelfPaidVisitRow, SettlementReceiptRow];

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * pending   — waiting to be sent (next_attempt_at)
 * unknown   — a send may or may not have reached the insurer (timeout, dropped reply, crash,
 *             unverifiable reply): the next step is a query by msgid, never a blind resend
 * sending   — claimed by one gateway instance until lease_until
 * delivered — the insurer accepted it (infcode 0); final
 * rejected  — the insurer refused it (business rejection, reason kept); final
 * cancelled — withdrawn by staff with a reason; final
 */
export const OUTBOX_STATUSES = ['pending', 'unknown', 'sending', 'delivered', 'rejected', 'cancelled'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** A message that must reach the insurer, written in the same transaction as its business record. */
@Entity({ name: 'outbox_message' })
@Index('ix_outbox_due', ['status', 'nextAttemptAt'])
@Index('ix_outbox_subject', ['subjectKey', 'id'])
export class OutboxMessage {
  /** uuidv7: insertion order, used for per-subject ordering. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 30, unique: true })
  msgid: string;

  @Column({ type: 'varchar', length: 8 })
  infno: string;

  /** Messages with the same key are delivered one after another, in id order (a reversal after its settlement). */
  @Column({ name: 'subject_key', type: 'varchar', length: 100, nullable: true })
  subjectKey: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: OutboxStatus;

  /** The request envelope as built at enqueue time, unsigned (signing is left to the dispatcher, off the caller's path). */
  @Column({ type: 'text', nullable: true })
  draft: string | null;

  /** The signed envelope as first sent: every resend is byte-identical. */
  @Column({ type: 'text', nullable: true })
  envelope: string | null;

  @Column({ type: 'integer' })
  attempts: number;

  @Column({ name: 'next_attempt_at' })
  nextAttemptAt: Date;

  @Column({ name: 'claimed_by', type: 'varchar', length: 64, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'lease_until', type: Date, nullable: true })
  leaseUntil: Date | null;

  /** Set while sending a row that was unknown: ask before sending again. */
  @Column({ name: 'query_first', type: 'boolean' })
  queryFirst: boolean;

  @Column({ type: 'integer', nullable: true })
  infcode: number | null;

  /** The insurer's reply (verified), as JSON. */
  @Column({ type: 'text', nullable: true })
  reply: string | null;

  /** The insurer's reason for a rejection, or the last technical error. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;

  @Column({ name: 'finished_at', type: Date, nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'cancel_reason', type: 'varchar', length: 200, nullable: true })
  cancelReason: string | null;
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ACTOR_TYPES = ['api-key', 'staff', 'system', 'cli'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * One audit record. Append-only: the code has no update or delete path, and the database refuses
 * both with a trigger, except sealing (setting seq, prev_hash and chain_hash once, see the AuditChain
 * migration) and deleting sealed entries older than 6 months (retention, see audit-retention.ts).
 */
@Entity({ name: 'audit_log' })
@Index('ix_audit_log_at', ['at'])
@Index('ix_audit_log_subject', ['subjectHash'])
export class AuditEntry {
  /** Time-ordered id (see ids.ts), so ordering by id is ordering by insertion across instances. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'at' })
  at: Date;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType: ActorType;

  /** API key id, staff id, "cli:<os user>" or a system component. Never a secret. */
  @Column({ name: 'actor_id', type: 'varchar', length: 100 })
  actorId: string;

  /** Dotted verb, e.g. "apikey.create", "identity.verdict". */
  @Column({ type: 'varchar', length: 100 })
  action: string;

  /** Keyed hash (HMAC) of the person or object concerned; never the value itself. */
  @Column({ name: 'subject_hash', type: 'varchar', length: 64, nullable: true })
  subjectHash: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome: AuditOutcome;

  @Column({ name: 'correlation_id', type: 'varchar', length: 100, nullable: true })
  correlationId: string | null;

  /** Non-personal details (codes, counts, ids). */
  @Column({ type: 'simple-json', nullable: true })
  details: Record<string, unknown> | null;

  /** SM3 of the entry's own content (audit-chain.ts), computed when it is appended. */
  @Column({ name: 'content_hash', type: 'varchar', length: 64, nullable: true })
  contentHash?: string | null;

  /** Position in the global chain, given by the sealer (null until sealed, about a second). */
  @Column({ type: 'bigint', nullable: true })
  seq?: string | number | null;

  /** The chain hash of the entry sealed before (seq − 1). */
  @Column({ name: 'prev_hash', type: 'varchar', length: 64, nullable: true })
  prevHash?: string | null;

  /** SM3(prev_hash ‖ content_hash). */
  @Column({ name: 'chain_hash', type: 'varchar', length: 64, nullable: true })
  chainHash?: string | null;
}

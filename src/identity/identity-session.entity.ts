import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One verification session (one desk, one visit). Evidence is personal data: stored only
 * encrypted (`evidence`, PiiCryptoService context 'identity_session.evidence'). The verdict, its
 * checks and what is missing carry no personal data (codes and Chinese messages naming sources).
 */
@Entity({ name: 'identity_session' })
@Index('ix_identity_session_desk', ['desk', 'createdAt'])
export class IdentitySession {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  desk: string;

  /** HIS visit id; null while a session started from a device event waits for HIS. */
  @Column({ name: 'visit_id', type: 'varchar', length: 64, nullable: true })
  visitId: string | null;

  @Column({ name: 'visit_kind', type: 'varchar', length: 16 })
  visitKind: 'outpatient' | 'inpatient';

  /** Keyed hash of the agreed subject's ID number. */
  @Column({ name: 'subject_key', type: 'varchar', length: 100, nullable: true })
  subjectKey: string | null;

  /** Encrypted JSON of the evidence (plus the QR text and what the insurer was asked). */
  @Column({ type: 'text' })
  evidence: string;

  @Column({ type: 'varchar', length: 16 })
  verdict: string;

  @Column({ type: 'boolean' })
  offline: boolean;

  @Column({ type: 'varchar', length: 16 })
  coverage: string;

  /** JSON: the checks and missing items (no personal data). */
  @Column({ type: 'text' })
  result: string;

  @Column({ type: 'text', nullable: true })
  token: string | null;

  @Column({ name: 'token_expires_at', type: Date, nullable: true })
  tokenExpiresAt: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;

  @Column({ name: 'expires_at' })
  expiresAt: Date;
}

/** The last 1101 answer per person, encrypted, for use while the insurer is unreachable. */
@Entity({ name: 'identity_coverage_cache' })
export class CoverageCacheEntry {
  @PrimaryColumn({ name: 'subject_key', type: 'varchar', length: 100 })
  subjectKey: string;

  @Column({ type: 'text' })
  answer: string;

  @Column({ name: 'fetched_at' })
  fetchedAt: Date;
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const FORM_STATUSES = ['draft', 'signed', 'uploaded', 'acknowledged', 'rejected'] as const;
/**
 * Stored: draft → signed (file stored and, in the same transaction, its 9101 upload queued in the
 * outbox) → acknowledged | rejected (by the outbox completion hook). `uploaded` is never stored: the
 * API shows it for a signed form whose upload was sent and the insurer's answer is not known yet
 * (read from the outbox), so it is never shown while nothing has left.
 */
export type FormStatus = (typeof FORM_STATUSES)[number];
export type SignatureKind = 'pad' | 'scan';

/**
 * One version of one form. A signed version is immutable (the service refuses every write); a
 * correction is a new row with the same form_no, version + 1 and previous_id = the corrected one.
 * Values are personal data: stored only encrypted (context 'form_document.values'); the worker is
 * found by the keyed hash of the ID number (worker_key, the identity subject domain).
 */
@Entity({ name: 'form_document' })
@Index('ux_form_document_version', ['formNo', 'version'], { unique: true })
@Index('ix_form_document_visit', ['visitId'])
@Index('ix_form_document_worker', ['workerKey'])
@Index('ix_form_document_outbox', ['outboxMessageId'])
export class FormDocument {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'form_no', type: 'varchar', length: 32 })
  formNo: string;

  @Column({ type: 'int' })
  version: number;

  @Column({ name: 'previous_id', type: 'varchar', length: 36, nullable: true })
  previousId: string | null;

  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ name: 'visit_id', type: 'varchar', length: 64 })
  visitId: string;

  @Column({ name: 'worker_key', type: 'varchar', length: 100, nullable: true })
  workerKey: string | null;

  /** Encrypted JSON (StoredFormValues). */
  @Column({ type: 'text' })
  values: string;

  @Column({ type: 'boolean' })
  disputed: boolean;

  @Column({ type: 'varchar', length: 16 })
  status: FormStatus;

  @Column({ name: 'reject_reason', type: 'varchar', length: 500, nullable: true })
  rejectReason: string | null;

  /** Relative to forms.storageDir. */
  @Column({ name: 'file_path', type: 'varchar', length: 300, nullable: true })
  filePath: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  sha256: string | null;

  @Column({ type: 'int', nullable: true })
  size: number | null;

  @Column({ name: 'signature_kind', type: 'varchar', length: 8, nullable: true })
  signatureKind: SignatureKind | null;

  @Column({ name: 'signed_at', type: Date, nullable: true })
  signedAt: Date | null;

  /** Never pruned before this instant; null = kept until the retention config says otherwise (never). */
  @Column({ name: 'keep_until', type: Date, nullable: true })
  keepUntil: Date | null;

  @Column({ name: 'outbox_message_id', type: 'varchar', length: 36, nullable: true })
  outboxMessageId: string | null;

  @Column({ name: 'outbox_msgid', type: 'varchar', length: 30, nullable: true })
  outboxMsgid: string | null;

  /** The insurer's file_id from its 9101 answer. */
  @Column({ name: 'file_id', type: 'varchar', length: 40, nullable: true })
  fileId: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DocType } from './doc-types';

/** Where a version came from: a PDF HIS sent, or one the gateway rendered (fee list) or keeps (statement). */
export type DocumentSource = 'his' | 'gateway';

/**
 * Upload state of a version: stored (kept, not queued yet: the upload waits for the settlement that
 * gives it a person number) → queued (its 9101 message in the outbox) → acknowledged (the insurer's
 * file_id) | rejected (the insurer's reason; a new version is needed).
 */
export type DocumentUploadStatus = 'stored' | 'queued' | 'acknowledged' | 'rejected';

/**
 * One version of one medical document. HIS's documents (03 病案首页, 04 出院小结) belong to the visit
 * (`subject_key` 'visit:<mdtrt_id>'); the gateway's (05 费用明细清单, 06 费用结算单) to one settlement
 * ('settlement:<id>'). A different content is a new version; the older ones are kept
 * (`superseded_at`), never overwritten. The PDF itself is kept in the row, base64, with its SHA-256.
 */
@Entity({ name: 'inpatient_document' })
export class InpatientDocument {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'subject_key', type: 'varchar', length: 80 })
  subjectKey: string;

  /** The hospital's visit id (mdtrt_id). */
  @Column({ name: 'mdtrt_id', type: 'varchar', length: 64 })
  mdtrtId: string;

  /** The settlement (gateway documents only). */
  @Column({ name: 'settlement_id', type: 'varchar', length: 36, nullable: true })
  settlementId: string | null;

  @Column({ name: 'doc_type', type: 'varchar', length: 2 })
  docType: DocType;

  @Column({ type: 'int' })
  version: number;

  @Column({ type: 'varchar', length: 8 })
  source: DocumentSource;

  @Column({ name: 'file_name', type: 'varchar', length: 200 })
  fileName: string;

  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Column({ type: 'int' })
  size: number;

  @Column({ name: 'pdf_base64', type: 'text' })
  pdfBase64: string;

  @Column({ type: 'varchar', length: 16 })
  status: DocumentUploadStatus;

  @Column({ name: 'outbox_message_id', type: 'varchar', length: 36, nullable: true })
  outboxMessageId: string | null;

  /** The insurer's file_id from its 9101 answer. */
  @Column({ name: 'file_id', type: 'varchar', length: 40, nullable: true })
  fileId: string | null;

  @Column({ name: 'reject_reason', type: 'varchar', length: 500, nullable: true })
  rejectReason: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;

  @Column({ name: 'uploaded_at', type: Date, nullable: true })
  uploadedAt: Date | null;

  /** When a newer version replaced it (kept, no longer uploaded). */
  @Column({ name: 'superseded_at', type: Date, nullable: true })
  supersededAt: Date | null;
}

/**
 * An inpatient settlement whose four documents are owed: the facts the uploads and the monthly
 * export need without reading settlement's tables (its person number, visit and settling day).
 */
@Entity({ name: 'inpatient_document_set' })
export class InpatientDocumentSet {
  @PrimaryColumn({ name: 'settlement_id', type: 'varchar', length: 36 })
  settlementId: string;

  @Column({ name: 'mdtrt_id', type: 'varchar', length: 64 })
  mdtrtId: string;

  @Column({ name: 'psn_no', type: 'varchar', length: 32 })
  psnNo: string;

  /** The insurer's setl_id. */
  @Column({ name: 'setl_id', type: 'varchar', length: 40 })
  setlId: string;

  /** The settling day, 'yyyy-MM-dd' Beijing: the month the export files it under. */
  @Column({ name: 'settled_on', type: 'varchar', length: 10 })
  settledOn: string;

  @Column({ name: 'created_at', type: Date })
  createdAt: Date;
}

export const INPATIENT_DOCUMENT_ENTITIES = [InpatientDocument, InpatientDocumentSet];

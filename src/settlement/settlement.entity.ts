import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ItemKind } from './rules/catalogue-values';

/**
 * Tables of the settlement capability (migration SettlementCatalogue). The catalogue mapping
 * (编码比对): versions and their items are written once and never changed (the database refuses
 * UPDATE and DELETE); the one row of settlement_catalogue_current names the version lookups use.
 * catalogue-version.repository.ts and catalogue-item.repository.ts hold their SQL.
 */

/** One import of the hospital's mapping file. */
@Entity({ name: 'settlement_catalogue_version' })
@Index('ux_settlement_catalogue_version_seq', ['seq'], { unique: true })
export class CatalogueVersion {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** 1, 2, 3 … in import order: what staff call the version. */
  @Column({ type: 'integer' })
  seq: number;

  @Column({ name: 'imported_at' })
  importedAt: Date;

  /** `<actor type>:<actor id>` (an API key id, `cli:<os user>`). */
  @Column({ name: 'imported_by', type: 'varchar', length: 100 })
  importedBy: string;

  @Column({ name: 'source_name', type: 'varchar', length: 255 })
  sourceName: string;

  /** SHA-256 of the file's bytes, hex. */
  @Column({ name: 'source_sha256', type: 'varchar', length: 64 })
  sourceSha256: string;

  @Column({ name: 'source_encoding', type: 'varchar', length: 16 })
  sourceEncoding: string;

  /** Data rows read from the file. */
  @Column({ name: 'row_count', type: 'integer' })
  rowCount: number;

  /** Items stored (each HIS code once). */
  @Column({ name: 'item_count', type: 'integer' })
  itemCount: number;

  /** Items stored with an insurer catalogue code. */
  @Column({ name: 'mapped_count', type: 'integer' })
  mappedCount: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;
}

/** One HIS item of a version and its insurer catalogue code. */
@Entity({ name: 'settlement_catalogue_item' })
@Index('ix_settlement_catalogue_item_his_code', ['hisCode'])
export class CatalogueItemRow {
  @PrimaryColumn({ name: 'version_id', type: 'varchar', length: 36 })
  versionId: string;

  @PrimaryColumn({ name: 'his_code', type: 'varchar', length: 50 })
  hisCode: string;

  @Column({ name: 'his_name', type: 'varchar', length: 500 })
  hisName: string;

  @Column({ type: 'varchar', length: 12 })
  kind: ItemKind;

  /** The insurer catalogue code (医保目录编码, med_list_codg); null: listed but not mapped. */
  @Column({ name: 'med_list_codg', type: 'varchar', length: 50, nullable: true })
  medListCode: string | null;

  @Column({ name: 'insurer_name', type: 'varchar', length: 500, nullable: true })
  insurerName: string | null;

  /** YYYY-MM-DD, inclusive; null: open. */
  @Column({ name: 'valid_from', type: 'varchar', length: 10, nullable: true })
  validFrom: string | null;

  @Column({ name: 'valid_to', type: 'varchar', length: 10, nullable: true })
  validTo: string | null;

  /** The row of the file it came from (the header is row 1). */
  @Column({ name: 'source_row', type: 'integer' })
  sourceRow: number;
}

/** The single row naming the current version (null before the first import). */
@Entity({ name: 'settlement_catalogue_current' })
export class CatalogueCurrent {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  slot: string;

  @Column({ name: 'version_id', type: 'varchar', length: 36, nullable: true })
  versionId: string | null;

  @Column({ name: 'set_at', type: Date, nullable: true })
  setAt: Date | null;

  @Column({ name: 'set_by', type: 'varchar', length: 100, nullable: true })
  setBy: string | null;
}

export type VisitKind = 'outpatient' | 'inpatient';
/**
 * What the visit is under (migration VisitCareType, obligations/cross-province): medical care under
 * the medical-service agreement, rehabilitation under the rehabilitation agreement (R6: an inpatient
 * rehab admission owes the assessment within 5 days, rehab 协议 9), or an assistive-device
 * configuration under the device agreement (R11: its cross-province upload adds the invoice and the
 * fee list, device 协议 25).
 */
export const CARE_TYPES = ['medical', 'rehab', 'device'] as const;
export type CareType = (typeof CARE_TYPES)[number];
/**
 * open: lines may change; settling: a settlement was sent and its outcome is not known yet; settled:
 * the insurer settled it. Settling and settled refuse every change (409).
 */
export type VisitState = 'open' | 'settling' | 'settled';
export type FeeLineKind = 'drug' | 'service' | 'material';
/** active: part of the visit; withdrawn: HIS took it back (kept, shown as such, never settled). */
export type FeeLineState = 'active' | 'withdrawn';

/**
 * An outpatient visit or an inpatient stay as HIS opens it (migration SettlementVisits).
 * visit.repository.ts holds its SQL.
 */
@Entity({ name: 'settlement_visit' })
@Index('ux_settlement_visit_mdtrt_id', ['mdtrtId'], { unique: true })
export class SettlementVisit {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** HIS visit id (门诊/住院号): the visit's mdtrt id on the gateway's side, the key HIS uses. */
  @Column({ name: 'mdtrt_id', type: 'varchar', length: 64 })
  mdtrtId: string;

  /** The insurer's person number (人员编号, psn_no), as the 1101 answer behind a MATCH carries it. */
  @Column({ name: 'psn_no', type: 'varchar', length: 32 })
  psnNo: string;

  @Column({ type: 'varchar', length: 12 })
  kind: VisitKind;

  /** medical, rehab or device, as HIS opened it (default medical). */
  @Column({ name: 'care_type', type: 'varchar', length: 12, default: 'medical' })
  careType: CareType;

  /** Outpatient: the visit day, 'yyyy-MM-dd'. */
  @Column({ name: 'visit_date', type: 'varchar', length: 10, nullable: true })
  visitDate: string | null;

  /** Inpatient: the admission day, 'yyyy-MM-dd'. */
  @Column({ name: 'admission_date', type: 'varchar', length: 10, nullable: true })
  admissionDate: string | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  ward: string | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  dept: string | null;

  @Column({ name: 'diagnosis_code', type: 'varchar', length: 50, nullable: true })
  diagnosisCode: string | null;

  @Column({ name: 'diagnosis_name', type: 'varchar', length: 200, nullable: true })
  diagnosisName: string | null;

  /** Inpatient: the discharge day. */
  @Column({ name: 'discharge_date', type: 'varchar', length: 10, nullable: true })
  dischargeDate: string | null;

  /** Inpatient: the day the worker was told to leave (协议 13(4): 记账 stops from this day). */
  @Column({ name: 'discharge_notice_date', type: 'varchar', length: 10, nullable: true })
  dischargeNoticeDate: string | null;

  @Column({ type: 'varchar', length: 12 })
  state: VisitState;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

/** One fee line of a visit as HIS declares it, with its revision. fee-line.repository.ts holds its SQL. */
@Entity({ name: 'settlement_fee_line' })
@Index('ux_settlement_fee_line_visit_line', ['visitId', 'lineId'], { unique: true })
export class SettlementFeeLine {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** settlement_visit.id. */
  @Column({ name: 'visit_id', type: 'varchar', length: 36 })
  visitId: string;

  /** HIS line id (feedetl_sn): unique within the visit; the trace codes' line number. */
  @Column({ name: 'line_id', type: 'varchar', length: 64 })
  lineId: string;

  @Column({ name: 'his_item_code', type: 'varchar', length: 50 })
  hisItemCode: string;

  @Column({ name: 'item_name', type: 'varchar', length: 500 })
  itemName: string;

  @Column({ type: 'varchar', length: 12 })
  kind: FeeLineKind;

  /** Decimal text, at most 3 decimals ('1.5'): never a float. */
  @Column({ type: 'varchar', length: 16 })
  count: string;

  @Column({ name: 'unit_price_fen', type: 'bigint' })
  unitPriceFen: number;

  @Column({ name: 'amount_fen', type: 'bigint' })
  amountFen: number;

  @Column({ name: 'service_date', type: 'varchar', length: 10 })
  serviceDate: string;

  @Column({ name: 'injury_related', type: 'boolean' })
  injuryRelated: boolean;

  @Column({ name: 'days_of_supply', type: 'integer', nullable: true })
  daysOfSupply: number | null;

  @Column({ name: 'supply_statement_present', type: 'boolean' })
  supplyStatementPresent: boolean;

  /** The signed 自费项目告知确认书 (forms, kind self-pay-consent) covering the line: its id or form number. */
  @Column({ name: 'self_pay_consent_form_id', type: 'varchar', length: 64, nullable: true })
  selfPayConsentFormId: string | null;

  @Column({ type: 'varchar', length: 12 })
  state: FeeLineState;

  /** 1 when first declared; +1 for every correction, withdrawal or reinstatement. */
  @Column({ type: 'integer' })
  revision: number;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

/**
 * pending: sent (or queued), outcome unknown; settled: the insurer settled it (setl_id, split);
 * rejected: the insurer refused it (err_msg), the visit is open again; needs-review: the insurer
 * answered but its reply failed the checks, no split recorded; cancelling: 2208/2305 queued;
 * cancelled: the insurer cancelled it, the visit is open again; provisional: queued while the insurer
 * was away (emergency mode), the desk collected per the local pre-audit (provisional_split).
 */
export const SETTLEMENT_STATUSES = [
  'pending',
  'provisional',
  'settled',
  'rejected',
  'needs-review',
  'cancelling',
  'cancelled',
] as const;
export type SettlementStatus = (typeof SETTLEMENT_STATUSES)[number];

/**
 * One settlement of a visit (migration SettlementRecords): what was sent (the message, the pre-audit
 * behind it) is written once; the outcome columns are filled by the outbox completion hook.
 * settlement-record.repository.ts holds its SQL.
 */
@Entity({ name: 'settlement_record' })
@Index('ux_settlement_record_idempotency_key', ['idempotencyKey'], { unique: true })
@Index('ix_settlement_record_visit', ['visitId', 'id'])
@Index('ux_settlement_record_msgid', ['msgid'], { unique: true })
export class SettlementRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** settlement_visit.id. */
  @Column({ name: 'visit_id', type: 'varchar', length: 36 })
  visitId: string;

  /** The HIS visit id. */
  @Column({ name: 'mdtrt_id', type: 'varchar', length: 64 })
  mdtrtId: string;

  @Column({ name: 'psn_no', type: 'varchar', length: 32 })
  psnNo: string;

  @Column({ type: 'varchar', length: 12 })
  kind: VisitKind;

  /** 2207 or 2304. */
  @Column({ type: 'varchar', length: 8 })
  infno: string;

  /** The outbox message's msgid. */
  @Column({ type: 'varchar', length: 30 })
  msgid: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200 })
  idempotencyKey: string;

  @Column({ type: 'varchar', length: 16 })
  status: SettlementStatus;

  /** The SettlementMessage as JSON: input, sent line ids, total sent, local self-pay lines. */
  @Column({ type: 'text' })
  message: string;

  /** The PreAuditResult the message was built from, as JSON. */
  @Column({ name: 'pre_audit', type: 'text' })
  preAudit: string;

  /** The fee lines as settled (FeeLine[] JSON), for the statement. */
  @Column({ type: 'text' })
  lines: string;

  /** The worker as the statement prints them (name, sex, ID number, employer), encrypted. */
  @Column({ name: 'worker_enc', type: 'text' })
  workerEnc: string;

  @Column({ name: 'setl_id', type: 'varchar', length: 40, nullable: true })
  setlId: string | null;

  /** The insurer's InsurerSplit as JSON (fen). */
  @Column({ type: 'text', nullable: true })
  split: string | null;

  @Column({ name: 'desk_collects_fen', type: 'bigint', nullable: true })
  deskCollectsFen: number | null;

  /** The insurer's reason (rejected), or the reply's problem (needs-review). */
  @Column({ type: 'text', nullable: true })
  problem: string | null;

  @Column({ name: 'settled_at', type: Date, nullable: true })
  settledAt: Date | null;

  @Column({ name: 'cancel_msgid', type: 'varchar', length: 30, nullable: true })
  cancelMsgid: string | null;

  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason: string | null;

  @Column({ name: 'cancelled_at', type: Date, nullable: true })
  cancelledAt: Date | null;

  /** A cancel asked for before the outcome was known (migration SettlementReview): done or moot once it is. */
  @Column({ name: 'cancel_requested_at', type: Date, nullable: true })
  cancelRequestedAt: Date | null;

  /** The desk the settlement was requested from: its state changes are pushed there. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  desk: string | null;

  /** Queued while the insurer was away: the local pre-audit's ProvisionalSplit as JSON (fen); else null. */
  @Column({ name: 'provisional_split', type: 'text', nullable: true })
  provisionalSplit: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

/** The 费用结算单 of a settled settlement: the PDF (Base64) and its SHA-256. */
@Entity({ name: 'settlement_statement' })
export class SettlementStatementRow {
  @PrimaryColumn({ name: 'settlement_id', type: 'varchar', length: 36 })
  settlementId: string;

  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Column({ name: 'pdf_base64', type: 'text' })
  pdfBase64: string;

  @Column({ name: 'created_at' })
  createdAt: Date;
}

export const SETTLEMENT_ENTITIES = [
  CatalogueVersion,
  CatalogueItemRow,
  CatalogueCurrent,
  SettlementVisit,
  SettlementFeeLine,
  SettlementRecord,
  SettlementStatementRow,
];

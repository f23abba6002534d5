import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Tables of trace-code capture (migration TraceCodes). Each table has its repository
 * (dispensing-line, trace-code, trace-code-use, product-mapping, desk-line .repository.ts), which
 * writes the hot paths (capture, return) as set-based SQL for both databases.
 */

/**
 * received (stock-in) → dispensed (gone out whole) or split-open (opened: portions go out on split
 * lines, 拆零, each its own use) → returned (in stock again, may be dispensed again: once no use is
 * open) or scrapped (final; a split-open box's open uses stay, the portions already went out).
 */
export type CodeState = 'received' | 'dispensed' | 'split-open' | 'returned' | 'scrapped';
export type UseState = 'dispensed' | 'returned';
/** Codes travel to the insurer with the settlement's fee lines: pending until a settlement carries them. */
export type UploadState = 'pending' | 'uploaded' | 'cancelled';

/** A dispensing line as HIS declares it: one drug item of one prescription of one visit. */
@Entity({ name: 'trace_dispensing_line' })
@Index('ux_trace_line_visit', ['visitId', 'lineNo'], { unique: true })
export class DispensingLine {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'visit_id', type: 'varchar', length: 64 })
  visitId: string;

  /** HIS's own id of the prescription line; the fee line's feedetl_sn in the settlement. */
  @Column({ name: 'line_no', type: 'varchar', length: 64 })
  lineNo: string;

  /** The insurer's catalogue code of the drug (医保目录编码). */
  @Column({ name: 'med_list_code', type: 'varchar', length: 50 })
  medListCode: string;

  @Column({ name: 'drug_name', type: 'varchar', length: 200 })
  drugName: string;

  /** In the smallest unit that carries a code (boxes); tablets etc. for a split package. */
  @Column({ type: 'integer' })
  quantity: number;

  @Column({ name: 'split_package', type: 'boolean' })
  splitPackage: boolean;

  /** Codes currently dispensed on the line (maintained with every capture and return). */
  @Column({ name: 'code_count', type: 'integer' })
  codeCount: number;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

/** One box. The code is the key: a second row for the same box cannot exist. */
@Entity({ name: 'trace_code' })
export class TraceCode {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  code: string;

  @Column({ type: 'varchar', length: 8 })
  form: 'trace20' | 'gs1';

  @Column({ name: 'product_code', type: 'varchar', length: 14 })
  productCode: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  batch: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  expiry: string | null;

  @Column({ type: 'varchar', length: 12 })
  state: CodeState;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

/** One dispensing of a box on a line. Never deleted: a return ends it. */
@Entity({ name: 'trace_code_use' })
@Index('ix_trace_code_use_line', ['lineId'])
@Index('ix_trace_code_use_code', ['code'])
@Index('ix_trace_code_use_visit', ['visitId'])
export class TraceCodeUse {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Column({ name: 'line_id', type: 'varchar', length: 36 })
  lineId: string;

  @Column({ name: 'visit_id', type: 'varchar', length: 64 })
  visitId: string;

  @Column({ type: 'boolean' })
  split: boolean;

  @Column({ type: 'varchar', length: 12 })
  state: UseState;

  @Column({ type: 'varchar', length: 12 })
  upload: UploadState;

  /** The settlement (setl_id) that carried the code to the insurer. */
  @Column({ name: 'upload_ref', type: 'varchar', length: 64, nullable: true })
  uploadRef: string | null;

  /** The capture request (single scan or batch) that wrote it; named in the audit log. */
  @Column({ name: 'operation_id', type: 'varchar', length: 36 })
  operationId: string;

  /** `device:<id>` for a scanner at a desk, `api_key:<id>` for HIS. */
  @Column({ type: 'varchar', length: 100 })
  source: string;

  @Column({ name: 'dispensed_at' })
  dispensedAt: Date;

  @Column({ name: 'ended_at', type: Date, nullable: true })
  endedAt: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 200, nullable: true })
  endReason: string | null;
}

/** Which insurer catalogue code(s) a drug product (first 7 digits, or GTIN) belongs to. */
@Entity({ name: 'trace_product_map' })
export class ProductMapping {
  @PrimaryColumn({ name: 'product_code', type: 'varchar', length: 14 })
  productCode: string;

  @PrimaryColumn({ name: 'med_list_code', type: 'varchar', length: 50 })
  medListCode: string;

  @Column({ name: 'drug_name', type: 'varchar', length: 200, nullable: true })
  drugName: string | null;

  @Column({ name: 'updated_by', type: 'varchar', length: 100 })
  updatedBy: string;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

/** The line a pharmacy desk is dispensing now: its scanner's codes go there. */
@Entity({ name: 'trace_desk_line' })
export class DeskLine {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  desk: string;

  @Column({ name: 'line_id', type: 'varchar', length: 36 })
  lineId: string;

  @Column({ name: 'set_by', type: 'varchar', length: 100 })
  setBy: string;

  @Column({ name: 'set_at' })
  setAt: Date;
}

export const TRACE_CODE_ENTITIES = [DispensingLine, TraceCode, TraceCodeUse, ProductMapping, DeskLine];

import { beijingTimestamp } from '../upstream/protocol/msgid';
import { AuditedLine, AuditFile, AuditOffice } from './audits';
import { VisitRegister } from './visits';

/**
 * The insurer's business records, in memory: sign-ins, settlements (kept for 2601, 2208/2305
 * and 3201, with their fee lines and audit results for 3501), registered visits and admissions with their uploaded fee details, uploaded
 * documents, cross-province uploads and monthly declarations. A sandbox restart forgets them,
 * as a fresh test environment should.
 */
export type SettlementInfno = '2207' | '2304';
export type SettlementCancelInfno = '2208' | '2305';

export interface SettlementRecord {
  setl_id: string;
  msgid: string;
  infno: SettlementInfno;
  fixmedins_code: string;
  psn_no: string;
  mdtrt_id: string;
  setl_time: Date;
  begndate: string;
  enddate: string;
  dise_codg: string;
  feedetail_cnt: number;
  medfeeCents: number;
  fundCents: number;
  psnCents: number;
  traceCodes: string[];
  /** 自费转工伤 (cvs_flag "1"): care the worker or employer paid before the determination. */
  conversion: boolean;
  /** Undone by 2601 冲正 (a message whose outcome was in doubt). */
  reversal: { msgid: string; at: Date } | null;
  /** Undone by 2208 / 2305 结算撤销 (a business cancel). */
  cancellation: { msgid: string; infno: SettlementCancelInfno; setl_id: string; at: Date } | null;
  crossUploadReceipt: string | null;
  /** The fee lines as settled, with the fund's part: what the insurer audits (3501); 3301's device fee list is checked against them. */
  lines: AuditedLine[];
  /** The insurer's audit of the settlement (AuditOffice): released versions, or held back. */
  audit: AuditFile;
}

export interface SignInRecord {
  sign_no: string;
  fixmedins_code: string;
  opter_no: string;
  at: Date;
}

export interface DocumentRecord {
  file_id: string;
  fixmedins_code: string;
  psn_no: string;
  /** The visit the document is about, when the upload named one. */
  mdtrt_id: string | null;
  doc_type: string;
  file_name: string;
  sha256: string;
  size: number;
  at: Date;
  /** The file as received: what the insurer's staff (and the tests) read. */
  content: Buffer;
}

export interface DeclarationRecord {
  receipt_id: string;
  fixmedins_code: string;
  decl_ym: string;
  setl_cnt: number;
  medfeeCents: number;
  fundCents: number;
  psnCents: number;
  offline: boolean;
  at: Date;
}

export class Ledger {
  readonly signIns = new Map<string, SignInRecord>();
  readonly settlements = new Map<string, SettlementRecord>();
  readonly settlementByMsgid = new Map<string, string>();
  /** `${fixmedins_code}|${mdtrt_id}` → setl_id of the settlement not reversed. */
  readonly activeByVisit = new Map<string, string>();
  /** Trace code → setl_id that dispensed it; freed by reversal (a box is sold once). */
  readonly traceCodesInUse = new Map<string, string>();
  readonly documents = new Map<string, DocumentRecord>();
  /** `${fixmedins_code}|${yyyy-MM}` → the declaration in force. */
  readonly declarations = new Map<string, DeclarationRecord>();
  /** Visits registered by 2201 and admissions by 2401, with their uploaded fee details. */
  readonly visits = new VisitRegister();
  private sequence = 0;

  /** `audits`: the insurer's audit of uploaded costs (3501), with its delay after settlement. */
  constructor(readonly audits: AuditOffice = new AuditOffice()) {}

  /** prefix + yyyyMMddHHmmss (Beijing) + 6-digit sequence: unique within this insurer's life. */
  nextId(prefix: string, now: Date): string {
    this.sequence = (this.sequence % 999_999) + 1;
    return `${prefix}${beijingTimestamp(now)}${String(this.sequence).padStart(6, '0')}`;
  }

  addSettlement(record: SettlementRecord): void {
    this.settlements.set(record.setl_id, record);
    this.settlementByMsgid.set(record.msgid, record.setl_id);
    this.activeByVisit.set(visitKey(record.fixmedins_code, record.mdtrt_id), record.setl_id);
    for (const code of record.traceCodes) {
      this.traceCodesInUse.set(code, record.setl_id);
    }
  }

  reverse(record: SettlementRecord, msgid: string, at: Date): void {
    record.reversal = { msgid, at };
    this.release(record);
  }

  /** 2208 / 2305: the same effect on the books as a reversal, recorded as a cancel under its own id. */
  cancel(record: SettlementRecord, cancellation: NonNullable<SettlementRecord['cancellation']>): void {
    record.cancellation = cancellation;
    this.release(record);
  }

  /** The visit may settle again and its boxes may be sold again. */
  private release(record: SettlementRecord): void {
    this.activeByVisit.delete(visitKey(record.fixmedins_code, record.mdtrt_id));
    for (const code of record.traceCodes) {
      this.traceCodesInUse.delete(code);
    }
  }
}

/** Neither reversed (2601) nor cancelled (2208/2305): counts in reconciliation and declarations. */
export function isInForce(record: SettlementRecord): boolean {
  return record.reversal === null && record.cancellation === null;
}

export function visitKey(fixmedinsCode: string, mdtrtId: string): string {
  return `${fixmedinsCode}|${mdtrtId}`;
}

import type { FeeLine } from './transactions/fee-lines';

/**
 * Visits the insurer knows before they are settled, in memory like the ledger: outpatient visits
 * registered by 2201 (挂号) and admissions by 2401 (入院办理), each with its discharge (2402) and
 * the fee details uploaded for it (2204 / 2301). The insurer assigns `mdtrt_id`, as nationally;
 * the hospital's own number is `ipt_otp_no` (门诊号) or `ipt_no` (住院号).
 */
export type VisitKind = 'outpatient' | 'inpatient';

export interface UploadedFeeLine extends FeeLine {
  fee_ocur_time: string;
  msgid: string;
  at: Date;
}

export interface DischargeRecord {
  endtime: string;
  dise_codg: string;
  dise_name: string;
  dscg_way: string | null;
  dscg_dept_codg: string | null;
  dscg_dept_name: string | null;
  msgid: string;
  at: Date;
}

export interface VisitRecord {
  mdtrt_id: string;
  kind: VisitKind;
  fixmedins_code: string;
  psn_no: string;
  /** ipt_otp_no (outpatient) or ipt_no (inpatient): the hospital's number for the visit. */
  hosp_no: string;
  /** yyyy-MM-dd HH:mm:ss: the visit, or the admission. */
  begntime: string;
  dept_codg: string;
  dept_name: string;
  /** Inpatient bed (adm_bed); null for outpatients. */
  bed: string | null;
  /** Diagnosis given at registration or admission, if any. */
  dise_codg: string | null;
  dise_name: string | null;
  msgid: string;
  at: Date;
  discharge: DischargeRecord | null;
  cancellation: { msgid: string; at: Date } | null;
  /** feedetl_sn → line, in upload order; a revoked line (2205 / 2302) is removed. */
  feeLines: Map<string, UploadedFeeLine>;
}

export class VisitRegister {
  private readonly visits = new Map<string, VisitRecord>();
  /** `${fixmedins_code}|${kind}|${hosp_no}` → mdtrt_id of the visit not cancelled. */
  private readonly byHospNo = new Map<string, string>();

  get(mdtrtId: string): VisitRecord | undefined {
    return this.visits.get(mdtrtId);
  }

  /** The visit not cancelled that carries this hospital number, if any. */
  activeByHospNo(fixmedinsCode: string, kind: VisitKind, hospNo: string): VisitRecord | undefined {
    const id = this.byHospNo.get(hospNoKey(fixmedinsCode, kind, hospNo));
    return id === undefined ? undefined : this.visits.get(id);
  }

  /** The person's admission at this institution that is neither cancelled nor discharged. */
  openAdmission(fixmedinsCode: string, psnNo: string): VisitRecord | undefined {
    for (const v of this.visits.values()) {
      if (
        v.kind === 'inpatient' &&
        v.fixmedins_code === fixmedinsCode &&
        v.psn_no === psnNo &&
        v.cancellation === null &&
        v.discharge === null
      ) {
        return v;
      }
    }
    return undefined;
  }

  add(record: VisitRecord): void {
    this.visits.set(record.mdtrt_id, record);
    this.byHospNo.set(hospNoKey(record.fixmedins_code, record.kind, record.hosp_no), record.mdtrt_id);
  }

  cancel(record: VisitRecord, msgid: string, at: Date): void {
    record.cancellation = { msgid, at };
    this.byHospNo.delete(hospNoKey(record.fixmedins_code, record.kind, record.hosp_no));
  }
}

function hospNoKey(fixmedinsCode: string, kind: VisitKind, hospNo: string): string {
  return `${fixmedinsCode}|${kind}|${hospNo}`;
}

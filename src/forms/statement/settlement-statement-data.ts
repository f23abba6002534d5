/**
 * What a settlement statement (费用结算单) shows: pure data, handed over by the settlement step. Money
 * is integer fen (分), counts are decimal strings, days are 'yyyy-MM-dd' (Beijing), as in the
 * settlement rules; the statement prints yuan with two decimals and never computes with floats.
 */
export interface SettlementStatementData {
  /**
   * 'final': the insurer settled (2207 / 2304) and `statementNo` is its `setl_id`. 'provisional':
   * the insurer could not be reached; the hospital gives the desk a 临时结算单 from its own
   * pre-audit, marked as such on every page (以经办机构结算结果为准).
   */
  status: 'final' | 'provisional';
  /** The insurer's `setl_id`; for a provisional statement the hospital's own provisional number. */
  statementNo: string;
  hospital: {
    name: string;
    /** 定点医药机构编号 (12 characters nationally). */
    code: string;
  };
  visit: StatementVisit;
  worker: StatementWorker;
  /** The fee lines in the order HIS declared them (序号 is the 1-based position); at least one. */
  lines: StatementLine[];
  totals: StatementTotals;
  /** When the insurer settled (`setl_time`), or when the provisional statement was issued; printed in Beijing time. Also the PDF's date, so the same data renders the same bytes. */
  settledAt: Date;
  /** Who settled at the desk (经办人), as the desk shows it: a name, or name and staff number. */
  operator: string;
}

export type StatementVisit = {
  /** The hospital's visit id (`mdtrt_id`). */
  visitId: string;
  department?: string;
  /** As the settlement sent it, e.g. 'S62.600 右手示指近节指骨骨折'. */
  diagnosis: string;
} & ({ kind: 'outpatient'; visitDate: string } | { kind: 'inpatient'; admissionDate: string; dischargeDate: string });

export interface StatementWorker {
  name: string;
  sex: '男' | '女';
  /** The full ID number (社会保障号码); the statement prints it masked (first 6, last 4). */
  idNumber: string;
  /** The insurer's person number (`psn_no`). */
  psnNo: string;
  employer: string;
  /** 工伤认定编号, when known. */
  determinationNo?: string;
}

export type StatementLineKind = 'drug' | 'service' | 'material';

export interface StatementLine {
  itemName: string;
  /** The insurer's catalogue code (`med_list_codg`); null for an item without one (unmapped, outside). */
  insurerCode: string | null;
  kind: StatementLineKind;
  /** Decimal count, at most 3 decimals (e.g. '2', '0.5'). */
  count: string;
  unitPriceFen: number;
  amountFen: number;
  /** The fund's part of the line (`fund_pay_amt`). fundFen + selfPayFen = amountFen. */
  fundFen: number;
  /** The worker's part (`psn_pay_amt`), the hospital's loss included. */
  selfPayFen: number;
  /** Why the line is (partly) self-pay (`selfpay_reason`), e.g. 工伤保险目录外项目. */
  selfPayReason?: string;
  /**
   * The self-pay part is the hospital's loss: self-pay without the worker's signed prior notice
   * (协议 18), not charged to the worker. Only on a line with a self-pay part.
   */
  hospitalBears?: boolean;
}

/** Integer fen; each must equal the sum over the lines (the statement refuses to print otherwise). */
export interface StatementTotals {
  /** 医疗费总额 (`medfee_sumamt`) = fund + self-pay. */
  medicalFeeFen: number;
  /** 工伤保险基金支付 (`fund_pay_sumamt`). */
  fundFen: number;
  /** 个人支付 (`psn_pay_sumamt`), the hospital's loss included. */
  selfPayFen: number;
  /** 其中医院承担: the self-pay of the lines the hospital bears; the worker pays selfPay − hospitalLoss. */
  hospitalLossFen: number;
}

/** What the worker pays at the desk: the self-pay part less what the hospital bears. */
export function workerPaysFen(totals: StatementTotals): number {
  return totals.selfPayFen - totals.hospitalLossFen;
}

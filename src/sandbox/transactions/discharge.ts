import { beijingDateTime } from '../../upstream/protocol/msgid';
import { optionalString, requireString } from '../input-fields';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';
import { requireDateTime, VisitCancelOutput } from './outpatient-visit';
import { DIAGNOSIS } from './settlement-plan';
import { findVisit, isSettled } from './visit-lookup';

/**
 * 2402 discharge (出院办理) and 2405 its cancel (出院办理撤销), national codes with the dscginfo
 * fields flattened. Discharge closes the stay: fees after `endtime` are not charged to the fund
 * (办法 30, 协议 13(4)), so uploaded details dated later must be revoked first, and later
 * uploads are refused. 2304 in the uploaded form settles only a discharged stay.
 */
export interface DischargeOutput {
  mdtrt_id: string;
  psn_no: string;
  begntime: string;
  endtime: string;
  /** Days in hospital, counted as nationally: discharge date − admission date, at least 1. */
  ipt_days: number;
}

const DAY_MS = 86_400_000;

export function discharge(ctx: TxContext): TxResult<DischargeOutput> {
  const { input } = ctx;
  const psnNo = requireString(input, 'psn_no', '', { maxLength: 30 });
  const mdtrtId = requireString(input, 'mdtrt_id', '', { maxLength: 30 });
  const endtime = requireDateTime(input, 'endtime');
  const diseCodg = requireString(input, 'dise_codg', '', DIAGNOSIS);
  const diseName = requireString(input, 'dise_name', '', { maxLength: 200 });
  const dscgWay = optionalString(input, 'dscg_way', '', { pattern: /^\d{1,3}$/, format: '离院方式代码' }) ?? null;
  const deptCodg = optionalString(input, 'dscg_dept_codg', '', { maxLength: 30 }) ?? null;
  const deptName = optionalString(input, 'dscg_dept_name', '', { maxLength: 100 }) ?? null;

  const visit = findVisit(ctx, 'inpatient', mdtrtId, psnNo);
  if (visit.discharge !== null) {
    throw new Rejection(`该住院已于 ${visit.discharge.endtime} 办理出院，不能重复办理`);
  }
  if (endtime < visit.begntime) {
    throw new Rejection('出院时间 endtime 早于入院时间 begntime');
  }
  if (endtime > beijingDateTime(ctx.now)) {
    throw new Rejection('出院时间 endtime 晚于当前时间');
  }
  const late = [...visit.feeLines.values()].filter((l) => l.fee_ocur_time > endtime).map((l) => l.feedetl_sn);
  if (late.length > 0) {
    throw new Rejection(`费用明细 ${late.join('、')} 的发生时间晚于出院时间 endtime，请先撤销（2302）`);
  }
  visit.discharge = {
    endtime,
    dise_codg: diseCodg,
    dise_name: diseName,
    dscg_way: dscgWay,
    dscg_dept_codg: deptCodg,
    dscg_dept_name: deptName,
    msgid: ctx.envelope.msgid,
    at: ctx.now,
  };
  const days = (Date.parse(endtime.slice(0, 10)) - Date.parse(visit.begntime.slice(0, 10))) / DAY_MS;
  return {
    output: { mdtrt_id: mdtrtId, psn_no: psnNo, begntime: visit.begntime, endtime, ipt_days: Math.max(1, days) },
  };
}

export function dischargeCancel(ctx: TxContext): TxResult<VisitCancelOutput> {
  const psnNo = requireString(ctx.input, 'psn_no', '', { maxLength: 30 });
  const mdtrtId = requireString(ctx.input, 'mdtrt_id', '', { maxLength: 30 });
  const visit = findVisit(ctx, 'inpatient', mdtrtId, psnNo);
  if (visit.discharge === null) {
    throw new Rejection('该住院尚未办理出院，无需撤销出院');
  }
  if (isSettled(ctx, visit)) {
    throw new Rejection('该住院已结算，请先撤销结算（2305）后再撤销出院');
  }
  const again = ctx.ledger.visits.openAdmission(ctx.envelope.fixmedins_code, psnNo);
  if (again !== undefined) {
    throw new Rejection(`该人员已再次办理入院（就诊ID ${again.mdtrt_id}），不能撤销本次出院`);
  }
  visit.discharge = null;
  return { output: { mdtrt_id: mdtrtId, psn_no: psnNo, cncl_time: beijingDateTime(ctx.now) } };
}

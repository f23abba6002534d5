import { beijingDateTime } from '../../upstream/protocol/msgid';
import { beijingDate, isDateTime } from '../dates';
import { Fields, optionalString, requireString } from '../input-fields';
import { Rejection } from '../rejection';
import { SeedPerson } from '../seed-people';
import { VisitKind } from '../visits';
import { TxContext, TxResult } from './context';
import { checkCoverage } from './coverage';
import { DIAGNOSIS } from './settlement-plan';
import { findVisit, isSettled } from './visit-lookup';

/**
 * 2201 outpatient visit registration (门诊挂号 / 就诊登记) and 2202 its cancel (national codes,
 * fields simplified). Registration checks the worker may be charged to the fund here (the same
 * coverage rules as settlement, signing included) and hands out the insurer's `mdtrt_id`, under
 * which 2204 uploads fee details and 2206 / 2207 settle them.
 */
export interface RegistrationOutput {
  mdtrt_id: string;
  psn_no: string;
  psn_name: string;
  ipt_otp_no: string;
  begntime: string;
  reg_time: string;
}

export interface VisitCancelOutput {
  mdtrt_id: string;
  psn_no: string;
  cncl_time: string;
}

export function outpatientRegistration(ctx: TxContext): TxResult<RegistrationOutput> {
  const { input, envelope, ledger } = ctx;
  const psnNo = requireString(input, 'psn_no', '', { maxLength: 30 });
  const cardSn = optionalString(input, 'card_sn');
  const iptOtpNo = requireString(input, 'ipt_otp_no', '', { maxLength: 30 });
  const begntime = requireDateTime(input, 'begntime');
  const deptCode = requireString(input, 'dept_code', '', { maxLength: 30 });
  const deptName = requireString(input, 'dept_name', '', { maxLength: 100 });
  optionalString(input, 'dr_name', '', { maxLength: 50 });
  const diagnosis = optionalDiagnosis(input);

  const person = personForVisit(ctx, psnNo, begntime, 'outpatient', cardSn, '挂号时间 begntime 晚于当前时间');
  const existing = ledger.visits.activeByHospNo(envelope.fixmedins_code, 'outpatient', iptOtpNo);
  if (existing !== undefined) {
    throw new Rejection(`门诊号 ipt_otp_no 已挂号登记（就诊ID ${existing.mdtrt_id}），不能重复登记`);
  }
  const mdtrtId = ledger.nextId('MZ', ctx.now);
  ledger.visits.add({
    mdtrt_id: mdtrtId,
    kind: 'outpatient',
    fixmedins_code: envelope.fixmedins_code,
    psn_no: psnNo,
    hosp_no: iptOtpNo,
    begntime,
    dept_codg: deptCode,
    dept_name: deptName,
    bed: null,
    ...diagnosis,
    msgid: envelope.msgid,
    at: ctx.now,
    discharge: null,
    cancellation: null,
    feeLines: new Map(),
  });
  return {
    output: {
      mdtrt_id: mdtrtId,
      psn_no: psnNo,
      psn_name: person.psn_name,
      ipt_otp_no: iptOtpNo,
      begntime,
      reg_time: beijingDateTime(ctx.now),
    },
  };
}

export function outpatientRegistrationCancel(ctx: TxContext): TxResult<VisitCancelOutput> {
  const psnNo = requireString(ctx.input, 'psn_no', '', { maxLength: 30 });
  const mdtrtId = requireString(ctx.input, 'mdtrt_id', '', { maxLength: 30 });
  const iptOtpNo = requireString(ctx.input, 'ipt_otp_no', '', { maxLength: 30 });
  const visit = findVisit(ctx, 'outpatient', mdtrtId, psnNo, '该就诊已撤销挂号，不能重复撤销');
  if (visit.hosp_no !== iptOtpNo) {
    throw new Rejection('门诊号 ipt_otp_no 与挂号登记不符');
  }
  if (isSettled(ctx, visit)) {
    throw new Rejection('该就诊已结算，请先撤销结算（2208）后再撤销挂号');
  }
  if (visit.feeLines.size > 0) {
    throw new Rejection('该就诊有未撤销的费用明细，请先撤销费用明细（2205）后再撤销挂号');
  }
  ctx.ledger.visits.cancel(visit, ctx.envelope.msgid, ctx.now);
  return { output: { mdtrt_id: mdtrtId, psn_no: psnNo, cncl_time: beijingDateTime(ctx.now) } };
}

/** A date-time field, `yyyy-MM-dd HH:mm:ss`. */
export function requireDateTime(input: Fields, key: string, path = ''): string {
  const value = requireString(input, key, path);
  if (!isDateTime(value)) {
    throw new Rejection(`字段 ${path ? `${path}.${key}` : key} 格式错误，应为 yyyy-MM-dd HH:mm:ss`);
  }
  return value;
}

export function optionalDiagnosis(input: Fields): { dise_codg: string | null; dise_name: string | null } {
  const codg = optionalString(input, 'dise_codg', '', DIAGNOSIS) ?? null;
  const name = optionalString(input, 'dise_name', '', { maxLength: 200 }) ?? null;
  if ((codg === null) !== (name === null)) {
    throw new Rejection('诊断 dise_codg 与 dise_name 须同时填写');
  }
  return { dise_codg: codg, dise_name: name };
}

/** The person a registration or admission is for, who may be charged to the fund from `begntime`. */
export function personForVisit(
  ctx: TxContext,
  psnNo: string,
  begntime: string,
  kind: VisitKind,
  cardSn: string | undefined,
  futureMessage: string,
): SeedPerson {
  if (begntime > beijingDateTime(ctx.now)) {
    throw new Rejection(futureMessage);
  }
  const person = ctx.people.byPersonNo(psnNo);
  if (person === undefined) {
    throw new Rejection('人员编号 psn_no 不存在');
  }
  checkCoverage(person, {
    kind,
    fixmedinsCode: ctx.envelope.fixmedins_code,
    begndate: begntime.slice(0, 10),
    today: beijingDate(ctx.now),
    cardSn,
    conversion: false,
  });
  return person;
}

import { beijingDateTime } from '../../upstream/protocol/msgid';
import { optionalString, requireString } from '../input-fields';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';
import { optionalDiagnosis, personForVisit, requireDateTime, VisitCancelOutput } from './outpatient-visit';
import { findVisit, isSettled } from './visit-lookup';

/**
 * 2401 admission (入院办理) and 2404 its cancel (入院办理撤销), national codes with the
 * mdtrtinfo fields flattened. Admission checks coverage as an inpatient settlement does
 * (cross-province filing at admission, R11; no signing rule) and hands out the insurer's
 * `mdtrt_id`; a worker has at most one open admission per institution.
 */
export interface AdmissionOutput {
  mdtrt_id: string;
  psn_no: string;
  psn_name: string;
  ipt_no: string;
  begntime: string;
  adm_dept_codg: string;
  adm_bed: string | null;
}

export function admission(ctx: TxContext): TxResult<AdmissionOutput> {
  const { input, envelope, ledger } = ctx;
  const psnNo = requireString(input, 'psn_no', '', { maxLength: 30 });
  const cardSn = optionalString(input, 'card_sn');
  const iptNo = requireString(input, 'ipt_no', '', { maxLength: 30 });
  const begntime = requireDateTime(input, 'begntime');
  const deptCodg = requireString(input, 'adm_dept_codg', '', { maxLength: 30 });
  const deptName = requireString(input, 'adm_dept_name', '', { maxLength: 100 });
  const bed = optionalString(input, 'adm_bed', '', { maxLength: 30 }) ?? null;
  const diagnosis = optionalDiagnosis(input);

  const person = personForVisit(ctx, psnNo, begntime, 'inpatient', cardSn, '入院时间 begntime 晚于当前时间');
  const sameNo = ledger.visits.activeByHospNo(envelope.fixmedins_code, 'inpatient', iptNo);
  if (sameNo !== undefined) {
    throw new Rejection(`住院号 ipt_no 已办理入院（就诊ID ${sameNo.mdtrt_id}），不能重复入院`);
  }
  const open = ledger.visits.openAdmission(envelope.fixmedins_code, psnNo);
  if (open !== undefined) {
    throw new Rejection(`该人员已在本机构住院（就诊ID ${open.mdtrt_id}），出院前不能再次办理入院`);
  }
  const mdtrtId = ledger.nextId('ZY', ctx.now);
  ledger.visits.add({
    mdtrt_id: mdtrtId,
    kind: 'inpatient',
    fixmedins_code: envelope.fixmedins_code,
    psn_no: psnNo,
    hosp_no: iptNo,
    begntime,
    dept_codg: deptCodg,
    dept_name: deptName,
    bed,
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
      ipt_no: iptNo,
      begntime,
      adm_dept_codg: deptCodg,
      adm_bed: bed,
    },
  };
}

export function admissionCancel(ctx: TxContext): TxResult<VisitCancelOutput> {
  const psnNo = requireString(ctx.input, 'psn_no', '', { maxLength: 30 });
  const mdtrtId = requireString(ctx.input, 'mdtrt_id', '', { maxLength: 30 });
  const visit = findVisit(ctx, 'inpatient', mdtrtId, psnNo, '该住院已撤销入院，不能重复撤销');
  if (visit.discharge !== null) {
    throw new Rejection('该住院已办理出院，请先撤销出院（2405）后再撤销入院');
  }
  if (isSettled(ctx, visit)) {
    throw new Rejection('该住院已结算，请先撤销结算（2305）后再撤销入院');
  }
  if (visit.feeLines.size > 0) {
    throw new Rejection('该住院有未撤销的费用明细，请先撤销费用明细（2302）后再撤销入院');
  }
  ctx.ledger.visits.cancel(visit, ctx.envelope.msgid, ctx.now);
  return { output: { mdtrt_id: mdtrtId, psn_no: psnNo, cncl_time: beijingDateTime(ctx.now) } };
}

import { beijingDate, isDateTime } from '../dates';
import { Fields, optionalString, requireAmount, requireDate, requireString, StringRule } from '../input-fields';
import { SettlementInfno, visitKey } from '../ledger';
import { toYuan } from '../money';
import { Rejection } from '../rejection';
import { SeedPerson } from '../seed-people';
import { VisitKind, VisitRecord } from '../visits';
import { TxContext } from './context';
import { checkCoverage } from './coverage';
import { checkTraceCodesUnused, FeeLine, parseFeeLines } from './fee-lines';
import { checkVisit } from './visit-lookup';

/**
 * Everything a settlement (2207 / 2304) or a pre-settlement (2206 / 2303) checks, before it
 * changes anything. Two forms of input, told apart by the presence of `feedetail`:
 * - inline: the fee details travel in the message (the original form, no registration needed);
 * - uploaded (national): no `feedetail`; the visit was registered (2201) or admitted and
 *   discharged (2401 / 2402), and the fee details uploaded (2204 / 2301) are settled.
 */
export interface SettlementPlan {
  infno: SettlementInfno;
  psnNo: string;
  mdtrtId: string;
  person: SeedPerson;
  diseCodg: string;
  medfeeCents: number;
  lines: FeeLine[];
  begndate: string;
  enddate: string;
  /** 自费转工伤 (cvs_flag "1"). */
  conversion: boolean;
}

export const DIAGNOSIS: StringRule = { pattern: /^[A-Z]\d{2}(\.[0-9A-Za-z]{1,10})?$/, format: 'ICD-10编码' };
const CVS_FLAG: StringRule = { pattern: /^[01]$/, format: '0（正常结算）或 1（自费转工伤）' };

interface FormData {
  begndate: string;
  enddate: string;
  diseCodg: string;
  lines: FeeLine[];
}

export function planSettlement(ctx: TxContext, infno: SettlementInfno): SettlementPlan {
  const { input, ledger, envelope } = ctx;
  const kind: VisitKind = infno === '2207' ? 'outpatient' : 'inpatient';
  const inline = input.feedetail !== undefined && input.feedetail !== null;
  const dates = inline ? inlineDates(input, infno) : undefined;
  const psnNo = requireString(input, 'psn_no', '', { maxLength: 30 });
  const mdtrtId = requireString(input, 'mdtrt_id', '', { maxLength: 30 });
  const cardSn = optionalString(input, 'card_sn');
  const conversion = optionalString(input, 'cvs_flag', '', CVS_FLAG) === '1';
  const medfeeCents = requireAmount(input, 'medfee_sumamt');
  const registered = registeredVisit(ctx, kind, mdtrtId, psnNo);
  const form: FormData =
    dates !== undefined ? inlineForm(input, dates, registered, kind) : uploadedForm(input, infno, registered, kind);

  const today = beijingDate(ctx.now);
  if (form.enddate > today) {
    throw new Rejection('就诊日期晚于当前日期');
  }
  const sumCents = form.lines.reduce((acc, l) => acc + l.amountCents, 0);
  if (sumCents !== medfeeCents) {
    throw new Rejection(`费用总额 medfee_sumamt 与明细合计 ${toYuan(sumCents).toFixed(2)} 不符`);
  }
  const person = ctx.people.byPersonNo(psnNo);
  if (person === undefined) {
    throw new Rejection('人员编号 psn_no 不存在');
  }
  checkCoverage(person, {
    kind,
    fixmedinsCode: envelope.fixmedins_code,
    begndate: form.begndate,
    today,
    cardSn,
    conversion,
  });
  if (ledger.activeByVisit.has(visitKey(envelope.fixmedins_code, mdtrtId))) {
    // Worded as before 2208/2305 existed: hospitals' programs match this text.
    throw new Rejection('该就诊 mdtrt_id 已结算；如需重新结算，请先冲正（2601）原结算');
  }
  checkTraceCodesUnused(form.lines, ledger);
  return { infno, psnNo, mdtrtId, person, conversion, medfeeCents, ...form };
}

function inlineDates(input: Fields, infno: SettlementInfno): { begndate: string; enddate: string } {
  if (infno === '2207') {
    const begntime = requireString(input, 'begntime');
    if (!isDateTime(begntime)) {
      throw new Rejection('字段 begntime 格式错误，应为 yyyy-MM-dd HH:mm:ss');
    }
    return { begndate: begntime.slice(0, 10), enddate: begntime.slice(0, 10) };
  }
  const admDate = requireDate(input, 'adm_date');
  const dscgDate = requireDate(input, 'dscg_date');
  if (dscgDate < admDate) {
    throw new Rejection('出院日期 dscg_date 早于入院日期 adm_date');
  }
  return { begndate: admDate, enddate: dscgDate };
}

/** This institution's registered visit or admission of that id, checked; undefined for an inline-only id. */
function registeredVisit(ctx: TxContext, kind: VisitKind, mdtrtId: string, psnNo: string): VisitRecord | undefined {
  const visit = ctx.ledger.visits.get(mdtrtId);
  if (visit === undefined || visit.fixmedins_code !== ctx.envelope.fixmedins_code) {
    return undefined;
  }
  checkVisit(visit, kind, psnNo);
  return visit;
}

function inlineForm(
  input: Fields,
  dates: { begndate: string; enddate: string },
  visit: VisitRecord | undefined,
  kind: VisitKind,
): FormData {
  const diseCodg = requireString(input, 'dise_codg', '', DIAGNOSIS);
  requireString(input, 'dise_name', '', { maxLength: 200 });
  const lines = parseFeeLines(input);
  if (visit !== undefined && visit.feeLines.size > 0) {
    throw new Rejection(
      `该就诊已上传费用明细（${kind === 'outpatient' ? '2204' : '2301'}），结算时不应再传 feedetail；` +
        `请按已上传明细结算，或先撤销已上传明细（${kind === 'outpatient' ? '2205' : '2302'}）`,
    );
  }
  return { ...dates, diseCodg, lines };
}

function uploadedForm(
  input: Fields,
  infno: SettlementInfno,
  visit: VisitRecord | undefined,
  kind: VisitKind,
): FormData {
  if (visit === undefined) {
    throw new Rejection(
      kind === 'outpatient'
        ? '缺少必填字段 feedetail：未传费用明细时，就诊ID mdtrt_id 须已挂号登记（2201）并上传费用明细（2204）'
        : '缺少必填字段 feedetail：未传费用明细时，就诊ID mdtrt_id 须已办理入院（2401）并上传费用明细（2301）',
    );
  }
  const begndate = visit.begntime.slice(0, 10);
  let enddate = begndate;
  if (infno === '2207') {
    const begntime = optionalString(input, 'begntime');
    if (begntime !== undefined && begntime !== visit.begntime) {
      throw new Rejection('就诊时间 begntime 与挂号登记不符');
    }
  } else {
    if (visit.discharge === null) {
      throw new Rejection('该住院未办理出院（2402），不能住院结算');
    }
    enddate = visit.discharge.endtime.slice(0, 10);
    if (optionalString(input, 'adm_date') !== undefined && requireDate(input, 'adm_date') !== begndate) {
      throw new Rejection('入院日期 adm_date 与入院办理不符');
    }
    if (optionalString(input, 'dscg_date') !== undefined && requireDate(input, 'dscg_date') !== enddate) {
      throw new Rejection('出院日期 dscg_date 与出院办理不符');
    }
  }
  const known = visit.discharge ?? visit;
  const diseCodg = optionalString(input, 'dise_codg', '', DIAGNOSIS) ?? known.dise_codg;
  const diseName = optionalString(input, 'dise_name', '', { maxLength: 200 }) ?? known.dise_name;
  if (diseCodg === null || diseName === null) {
    throw new Rejection(`缺少必填字段 ${diseCodg === null ? 'dise_codg' : 'dise_name'}（挂号登记时未填写诊断）`);
  }
  const lines = [...visit.feeLines.values()];
  if (lines.length === 0) {
    throw new Rejection(`该就诊没有已上传的费用明细（${kind === 'outpatient' ? '2204' : '2301'}），不能结算`);
  }
  return { begndate, enddate, diseCodg, lines };
}

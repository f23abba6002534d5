import { beijingDateTime } from '../../upstream/protocol/msgid';
import { beijingDate, isDateTime } from '../dates';
import { optionalString, requireAmount, requireDate, requireString } from '../input-fields';
import { SettlementInfno, visitKey } from '../ledger';
import { toYuan } from '../money';
import { Rejection } from '../rejection';
import { SeedPerson } from '../seed-people';
import { TxContext, TxResult } from './context';
import { checkTraceCodesUnused, LineSplit, missingTraceCodeWarning, parseFeeLines, splitLine } from './fee-lines';

/**
 * 2207 outpatient and 2304 inpatient settlement (national codes, fields simplified): the fund's
 * part is charged to the insurer (记账), the worker pays the rest (即时结算, 办法 25).
 */
export interface SettlementOutput {
  setl_id: string;
  mdtrt_id: string;
  psn_no: string;
  psn_name: string;
  setl_time: string;
  medfee_sumamt: number;
  fund_pay_sumamt: number;
  psn_pay_sumamt: number;
  setldetail: LineSplit[];
}

const DIAGNOSIS = { pattern: /^[A-Z]\d{2}(\.[0-9A-Za-z]{1,10})?$/, format: 'ICD-10编码' };

export function outpatientSettlement(ctx: TxContext): TxResult<SettlementOutput> {
  const begntime = requireString(ctx.input, 'begntime');
  if (!isDateTime(begntime)) {
    throw new Rejection('字段 begntime 格式错误，应为 yyyy-MM-dd HH:mm:ss');
  }
  const day = begntime.slice(0, 10);
  return settle(ctx, '2207', day, day);
}

export function inpatientSettlement(ctx: TxContext): TxResult<SettlementOutput> {
  const admDate = requireDate(ctx.input, 'adm_date');
  const dscgDate = requireDate(ctx.input, 'dscg_date');
  if (dscgDate < admDate) {
    throw new Rejection('出院日期 dscg_date 早于入院日期 adm_date');
  }
  return settle(ctx, '2304', admDate, dscgDate);
}

function settle(ctx: TxContext, infno: SettlementInfno, begndate: string, enddate: string): TxResult<SettlementOutput> {
  const { input, ledger, envelope } = ctx;
  const psnNo = requireString(input, 'psn_no', '', { maxLength: 30 });
  const mdtrtId = requireString(input, 'mdtrt_id', '', { maxLength: 30 });
  const cardSn = optionalString(input, 'card_sn');
  const diseCodg = requireString(input, 'dise_codg', '', DIAGNOSIS);
  requireString(input, 'dise_name', '', { maxLength: 200 });
  const medfeeCents = requireAmount(input, 'medfee_sumamt');
  const lines = parseFeeLines(input);

  const today = beijingDate(ctx.now);
  if (enddate > today) {
    throw new Rejection('就诊日期晚于当前日期');
  }
  const sumCents = lines.reduce((acc, l) => acc + l.amountCents, 0);
  if (sumCents !== medfeeCents) {
    throw new Rejection(`费用总额 medfee_sumamt 与明细合计 ${toYuan(sumCents).toFixed(2)} 不符`);
  }
  const person = ctx.people.byPersonNo(psnNo);
  if (person === undefined) {
    throw new Rejection('人员编号 psn_no 不存在');
  }
  checkCoverage(person, infno, envelope.fixmedins_code, begndate, today, cardSn);
  if (ledger.activeByVisit.has(visitKey(envelope.fixmedins_code, mdtrtId))) {
    throw new Rejection('该就诊 mdtrt_id 已结算；如需重新结算，请先冲正（2601）原结算');
  }
  checkTraceCodesUnused(lines, ledger);

  // Everything checked: from here on the settlement is recorded.
  const setldetail: LineSplit[] = [];
  let fundCents = 0;
  for (const line of lines) {
    const split = splitLine(line);
    fundCents += split.fundCents;
    setldetail.push({
      feedetl_sn: line.feedetl_sn,
      det_item_fee_sumamt: toYuan(line.amountCents),
      fund_pay_amt: toYuan(split.fundCents),
      psn_pay_amt: toYuan(split.psnCents),
      selfpay_reason: split.reason,
    });
  }
  const setlId = ledger.nextId('ST', ctx.now);
  ledger.addSettlement({
    setl_id: setlId,
    msgid: envelope.msgid,
    infno,
    fixmedins_code: envelope.fixmedins_code,
    psn_no: psnNo,
    mdtrt_id: mdtrtId,
    setl_time: ctx.now,
    begndate,
    enddate,
    dise_codg: diseCodg,
    feedetail_cnt: lines.length,
    medfeeCents,
    fundCents,
    psnCents: medfeeCents - fundCents,
    traceCodes: lines.flatMap((l) => l.drug_trac_codg),
    reversal: null,
    crossUploadReceipt: null,
  });
  return {
    output: {
      setl_id: setlId,
      mdtrt_id: mdtrtId,
      psn_no: psnNo,
      psn_name: person.psn_name,
      setl_time: beijingDateTime(ctx.now),
      medfee_sumamt: toYuan(medfeeCents),
      fund_pay_sumamt: toYuan(fundCents),
      psn_pay_sumamt: toYuan(medfeeCents - fundCents),
      setldetail,
    },
    warn: missingTraceCodeWarning(lines),
  };
}

/** Whether the fund may be charged for this person, here, for care starting on `begndate`. */
function checkCoverage(
  person: SeedPerson,
  infno: SettlementInfno,
  fixmedinsCode: string,
  begndate: string,
  today: string,
  cardSn: string | undefined,
): void {
  if (!person.insured) {
    throw new Rejection('该人员未参加工伤保险，不能工伤记账');
  }
  if (person.injury.status === 'pending') {
    throw new Rejection('工伤认定尚未作出，暂不能工伤记账；可先自费，认定后办理自费转工伤');
  }
  if (person.injury.status === 'none') {
    throw new Rejection('该人员无工伤认定记录，不能工伤记账');
  }
  if (person.injury.injury_date !== null && begndate < person.injury.injury_date) {
    throw new Rejection('就诊日期早于受伤（确诊）日期');
  }
  if (cardSn !== undefined) {
    // The card presented must be this person's, valid and not reported lost (人卡相符, 协议 9).
    if (cardSn !== person.card.card_sn) {
      throw new Rejection('社会保障卡与人员不符（人卡不符），拒绝记账');
    }
    if (person.card.status === 'lost') {
      throw new Rejection('社会保障卡已挂失，拒绝记账');
    }
    if (person.card.valid_until < today) {
      throw new Rejection('社会保障卡已超过有效期，拒绝记账');
    }
  }
  const cross = person.cross_province;
  if (cross !== null) {
    if (cross.filing === null) {
      throw new Rejection('跨省异地就医未备案，不能直接结算');
    }
    if (begndate < cross.filing.valid_from || begndate > cross.filing.valid_to) {
      throw new Rejection('就诊日期不在异地就医备案有效期内');
    }
    return;
  }
  // Outpatient care is by signing (办法 18); admission is not restricted to signed institutions.
  if (infno === '2207' && !person.signed_institutions.some((s) => s.fixmedins_code === fixmedinsCode)) {
    throw new Rejection('本机构不是该职工的签约门诊机构（每人最多签约3家），不能门诊记账');
  }
}

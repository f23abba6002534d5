import { beijingDateTime } from '../../upstream/protocol/msgid';
import { beijingDate, workingDaysDeadline } from '../dates';
import {
  type Fields,
  optionalString,
  requireAmount,
  requireArray,
  requireCount,
  requireDate,
  requireFields,
  requireString,
} from '../input-fields';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/**
 * 3301 (ours) cross-province upload: after settling a patient insured in another province, the
 * hospital sends basic data, diagnosis and treatment to the national system within 5 working
 * days (协议 31–33). The sandbox checks the upload against its own record of the settlement.
 * `setl_type` (ours): `medical` (default), `rehab` (rehab 协议 24) or `device` (device 协议 25: the
 * upload adds the invoice number and the fee list, which must be the settlement's lines).
 */
export interface CrossProvinceUploadOutput {
  receipt_id: string;
  setl_id: string;
  upld_time: string;
}

export const UPLOAD_WORKING_DAYS = 5;

export function crossProvinceUpload(ctx: TxContext): TxResult<CrossProvinceUploadOutput> {
  const { input } = ctx;
  const psnNo = requireString(input, 'psn_no', '', { maxLength: 30 });
  const setlId = requireString(input, 'setl_id', '', { maxLength: 30 });
  const insuplc = requireString(input, 'insuplc_admdvs', '', { pattern: /^\d{6}$/, format: '6位行政区划代码' });
  const filingNo = requireString(input, 'filing_no', '', { maxLength: 30 });
  const diseCodg = requireString(input, 'dise_codg', '', { maxLength: 20 });
  requireString(input, 'dise_name', '', { maxLength: 200 });
  const begndate = requireDate(input, 'begndate');
  const enddate = requireDate(input, 'enddate');
  const medfee = requireAmount(input, 'medfee_sumamt');
  const fund = requireAmount(input, 'fund_pay_sumamt');
  const psnPay = requireAmount(input, 'psn_pay_sumamt');
  const lineCount = requireCount(input, 'feedetail_cnt');
  const setlType =
    optionalString(input, 'setl_type', '', {
      pattern: /^(medical|rehab|device)$/,
      format: 'medical、rehab 或 device',
    }) ?? 'medical';
  const device = setlType === 'device' ? deviceParts(input) : null;

  const s = ctx.ledger.settlements.get(setlId);
  if (s === undefined || s.fixmedins_code !== ctx.envelope.fixmedins_code) {
    throw new Rejection('结算ID setl_id 不存在');
  }
  if (s.reversal !== null) {
    throw new Rejection('该结算已冲正，不能上传');
  }
  if (s.cancellation !== null) {
    throw new Rejection('该结算已撤销，不能上传');
  }
  if (s.crossUploadReceipt !== null) {
    throw new Rejection(`该结算已上传（回执 ${s.crossUploadReceipt}），不能重复上传`);
  }
  if (s.psn_no !== psnNo) {
    throw new Rejection('人员编号 psn_no 与结算记录不符');
  }
  const filing = ctx.people.byPersonNo(psnNo)?.cross_province;
  if (filing === undefined || filing === null) {
    throw new Rejection('该人员不是跨省异地就医人员，无需上传');
  }
  if (insuplc !== filing.insuplc_admdvs || filingNo !== filing.filing?.filing_no) {
    throw new Rejection('参保地 insuplc_admdvs 或备案号 filing_no 与备案信息不符');
  }
  const mismatches = [
    diseCodg !== s.dise_codg ? 'dise_codg' : null,
    begndate !== s.begndate ? 'begndate' : null,
    enddate !== s.enddate ? 'enddate' : null,
    medfee !== s.medfeeCents ? 'medfee_sumamt' : null,
    fund !== s.fundCents ? 'fund_pay_sumamt' : null,
    psnPay !== s.psnCents ? 'psn_pay_sumamt' : null,
    lineCount !== s.feedetail_cnt ? 'feedetail_cnt' : null,
  ].filter((m): m is string => m !== null);
  if (mismatches.length > 0) {
    throw new Rejection(`上传数据与结算记录不符：${mismatches.join('、')}`);
  }
  if (device !== null) {
    const settled = new Map(s.lines.map((l) => [l.feedetl_sn, l.amountCents]));
    const listed = new Set(device.feeList.map((l) => l.feedetl_sn));
    const wrong = device.feeList.filter((l) => settled.get(l.feedetl_sn) !== l.amountCents).map((l) => l.feedetl_sn);
    const missing = [...settled.keys()].filter((sn) => !listed.has(sn));
    if (listed.size !== device.feeList.length || wrong.length > 0 || missing.length > 0) {
      throw new Rejection(
        `费用清单 fee_list 与结算明细不符${wrong.length > 0 ? `（不符：${wrong.join('、')}）` : ''}${missing.length > 0 ? `（缺少：${missing.join('、')}）` : ''}`,
      );
    }
  }

  const receiptId = ctx.ledger.nextId('CP', ctx.now);
  s.crossUploadReceipt = receiptId;
  // Late from the day after the 5th working day after the settlement day (holidays and 调休 counted).
  const due = workingDaysDeadline(beijingDate(s.setl_time), UPLOAD_WORKING_DAYS);
  const late = beijingDate(ctx.now) > due;
  return {
    output: { receipt_id: receiptId, setl_id: setlId, upld_time: beijingDateTime(ctx.now) },
    warn: late ? `已超过结算后 ${UPLOAD_WORKING_DAYS} 个工作日的上传时限（最后上传日 ${due}）` : undefined,
  };
}

/** The device agreement's parts (协议 25): the invoice number and the fee list (one entry per settled line). */
function deviceParts(input: Fields): { invoiceNo: string; feeList: { feedetl_sn: string; amountCents: number }[] } {
  const invoiceNo = requireString(input, 'invoice_no', '', { maxLength: 50 });
  const list = requireArray(input, 'fee_list');
  if (list.length === 0) {
    throw new Rejection('辅助器具配置上传须附费用清单 fee_list');
  }
  const feeList = list.map((item, i) => {
    const path = `fee_list[${i}]`;
    const line = requireFields(item, path);
    requireString(line, 'item_name', path, { maxLength: 200 });
    return {
      feedetl_sn: requireString(line, 'feedetl_sn', path, { maxLength: 64 }),
      amountCents: requireAmount(line, 'det_item_fee_sumamt', path),
    };
  });
  return { invoiceNo, feeList };
}

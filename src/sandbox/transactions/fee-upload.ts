import { beijingDateTime } from '../../upstream/protocol/msgid';
import { requireArray, requireFields, requireString } from '../input-fields';
import { toYuan } from '../money';
import { Rejection } from '../rejection';
import { UploadedFeeLine, VisitKind, VisitRecord } from '../visits';
import { TxContext, TxResult } from './context';
import { checkTraceCodesUnused, FeeLine, missingTraceCodeWarning, parseFeeLines, splitLine } from './fee-lines';
import { requireDateTime } from './outpatient-visit';
import { cancelInfnoOf, findVisit, isSettled } from './visit-lookup';

/**
 * 2204 / 2301 fee-detail upload (费用明细信息上传) and 2205 / 2302 revoke (撤销), national codes.
 * Lines are the settlement's fee lines (fee-lines.ts) plus `fee_ocur_time`; they are kept with
 * the visit until a settlement in the uploaded form (2207 / 2304 without `feedetail`) takes
 * them all. A settled visit takes no more lines and gives none back until its settlement is
 * cancelled (2208 / 2305) or reversed (2601). Revoke names one `feedetl_sn`, or `0000` for all.
 */
export interface FeeUploadOutput {
  mdtrt_id: string;
  psn_no: string;
  /** Per line as nationally: the amounts, and what the worker pays in full (全自费) and why. */
  result: Array<{
    feedetl_sn: string;
    det_item_fee_sumamt: number;
    cnt: number;
    pric: number;
    fulamt_ownpay_amt: number;
    selfpay_reason: string | null;
  }>;
  upld_time: string;
}

export interface FeeRevokeOutput {
  mdtrt_id: string;
  psn_no: string;
  rvk_feedetl_sn: string[];
  rvk_time: string;
}

const MAX_LINES_PER_VISIT = 1000;
const ALL_LINES = '0000';

export const outpatientFeeUpload = (ctx: TxContext): TxResult<FeeUploadOutput> => uploadFees(ctx, 'outpatient');
export const inpatientFeeUpload = (ctx: TxContext): TxResult<FeeUploadOutput> => uploadFees(ctx, 'inpatient');
export const outpatientFeeRevoke = (ctx: TxContext): TxResult<FeeRevokeOutput> => revokeFees(ctx, 'outpatient');
export const inpatientFeeRevoke = (ctx: TxContext): TxResult<FeeRevokeOutput> => revokeFees(ctx, 'inpatient');

function uploadFees(ctx: TxContext, kind: VisitKind): TxResult<FeeUploadOutput> {
  const { input } = ctx;
  const psnNo = requireString(input, 'psn_no', '', { maxLength: 30 });
  const mdtrtId = requireString(input, 'mdtrt_id', '', { maxLength: 30 });
  const lines = parseFeeLines(input);
  const times = requireArray(input, 'feedetail').map((raw, i) =>
    requireDateTime(requireFields(raw, `feedetail[${i}]`), 'fee_ocur_time', `feedetail[${i}]`),
  );

  const visit = findVisit(ctx, kind, mdtrtId, psnNo);
  if (isSettled(ctx, visit)) {
    throw new Rejection(`该就诊已结算，不能再上传费用明细；如需补传，请先撤销结算（${cancelInfnoOf(kind)}）`);
  }
  checkOccurrenceTimes(ctx, visit, times);
  for (const line of lines) {
    if (visit.feeLines.has(line.feedetl_sn)) {
      throw new Rejection(`费用明细流水号 ${line.feedetl_sn} 已上传，不能重复上传；如需更正，请先撤销`);
    }
  }
  if (visit.feeLines.size + lines.length > MAX_LINES_PER_VISIT) {
    throw new Rejection(`该就诊费用明细超过 ${MAX_LINES_PER_VISIT} 条`);
  }
  checkTraceCodesUnused(lines, ctx.ledger, '本次上传');
  checkTraceCodesNotUploaded(lines, visit);

  lines.forEach((line, i) => {
    const uploaded: UploadedFeeLine = { ...line, fee_ocur_time: times[i], msgid: ctx.envelope.msgid, at: ctx.now };
    visit.feeLines.set(line.feedetl_sn, uploaded);
  });
  return {
    output: {
      mdtrt_id: mdtrtId,
      psn_no: psnNo,
      result: lines.map((line) => {
        const split = splitLine(line);
        return {
          feedetl_sn: line.feedetl_sn,
          det_item_fee_sumamt: toYuan(line.amountCents),
          cnt: line.cnt,
          pric: line.pric,
          fulamt_ownpay_amt: toYuan(split.psnCents),
          selfpay_reason: split.reason,
        };
      }),
      upld_time: beijingDateTime(ctx.now),
    },
    warn: missingTraceCodeWarning(lines),
  };
}

/** Fees occur within the visit: not before it began, not in the future, not after discharge (R20). */
function checkOccurrenceTimes(ctx: TxContext, visit: VisitRecord, times: string[]): void {
  const now = beijingDateTime(ctx.now);
  times.forEach((time, i) => {
    const field = `feedetail[${i}].fee_ocur_time`;
    if (time.slice(0, 10) < visit.begntime.slice(0, 10)) {
      throw new Rejection(`${field} 早于${visit.kind === 'outpatient' ? '就诊' : '入院'}日期`);
    }
    if (time > now) {
      throw new Rejection(`${field} 晚于当前时间`);
    }
    if (visit.discharge !== null && time > visit.discharge.endtime) {
      throw new Rejection(`${field} 晚于出院时间，出院后发生的费用不予工伤记账`);
    }
  });
}

function checkTraceCodesNotUploaded(lines: FeeLine[], visit: VisitRecord): void {
  const uploaded = new Set([...visit.feeLines.values()].flatMap((l) => l.drug_trac_codg));
  for (const code of lines.flatMap((l) => l.drug_trac_codg)) {
    if (uploaded.has(code)) {
      throw new Rejection(`追溯码 ${code} 已在本就诊的费用明细中上传`);
    }
  }
}

function revokeFees(ctx: TxContext, kind: VisitKind): TxResult<FeeRevokeOutput> {
  const psnNo = requireString(ctx.input, 'psn_no', '', { maxLength: 30 });
  const mdtrtId = requireString(ctx.input, 'mdtrt_id', '', { maxLength: 30 });
  const sn = requireString(ctx.input, 'feedetl_sn', '', { maxLength: 30 });
  const visit = findVisit(ctx, kind, mdtrtId, psnNo);
  if (isSettled(ctx, visit)) {
    throw new Rejection(`该就诊已结算，费用明细不能撤销；请先撤销结算（${cancelInfnoOf(kind)}）`);
  }
  if (sn !== ALL_LINES && !visit.feeLines.has(sn)) {
    throw new Rejection(`费用明细流水号 feedetl_sn ${sn} 不存在或已撤销`);
  }
  const revoked = sn === ALL_LINES ? [...visit.feeLines.keys()] : [sn];
  if (revoked.length === 0) {
    throw new Rejection('该就诊没有可撤销的费用明细');
  }
  for (const key of revoked) {
    visit.feeLines.delete(key);
  }
  return { output: { mdtrt_id: mdtrtId, psn_no: psnNo, rvk_feedetl_sn: revoked, rvk_time: beijingDateTime(ctx.now) } };
}

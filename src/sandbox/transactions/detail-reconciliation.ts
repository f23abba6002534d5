import { beijingDateTime } from '../../upstream/protocol/msgid';
import { beijingDate } from '../dates';
import { Fields, requireDate } from '../input-fields';
import { isInForce, SettlementRecord } from '../ledger';
import { toYuan } from '../money';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/**
 * 3202 detail reconciliation (明细对账, national code; fields ours): the institution's settlements in
 * force (neither reversed nor cancelled) whose settlement date (Beijing) is in the period, one row each,
 * in settlement order and paged. It tells the hospital WHICH settlements make a 3201 disagreement; the
 * comparison with its own records is the hospital's.
 */
export interface DetailRow {
  setl_id: string;
  mdtrt_id: string;
  psn_no: string;
  /** 2207 outpatient / 2304 inpatient. */
  infno: string;
  setl_time: string;
  medfee_sumamt: number;
  fund_pay_sumamt: number;
  psn_pay_sumamt: number;
}

export interface DetailReconciliationOutput {
  begndate: string;
  enddate: string;
  page_num: number;
  page_size: number;
  /** Rows in the whole period (all pages). */
  total: number;
  pages: number;
  data: DetailRow[];
}

const MAX_DAYS = 366;
export const MAX_PAGE_SIZE = 500;

export function detailReconciliation(ctx: TxContext): TxResult<DetailReconciliationOutput> {
  const begndate = requireDate(ctx.input, 'begndate');
  const enddate = requireDate(ctx.input, 'enddate');
  if (enddate < begndate) {
    throw new Rejection('对账截止日期 enddate 早于开始日期 begndate');
  }
  if ((Date.parse(enddate) - Date.parse(begndate)) / 86_400_000 >= MAX_DAYS) {
    throw new Rejection(`明细对账区间不能超过 ${MAX_DAYS} 天`);
  }
  const pageNum = positiveInteger(ctx.input, 'page_num', 1, Number.MAX_SAFE_INTEGER);
  const pageSize = positiveInteger(ctx.input, 'page_size', 100, MAX_PAGE_SIZE);

  const inPeriod = [...ctx.ledger.settlements.values()]
    .filter((s) => {
      const day = beijingDate(s.setl_time);
      return s.fixmedins_code === ctx.envelope.fixmedins_code && isInForce(s) && day >= begndate && day <= enddate;
    })
    .sort((a, b) => a.setl_time.getTime() - b.setl_time.getTime() || a.setl_id.localeCompare(b.setl_id));
  const pages = Math.max(1, Math.ceil(inPeriod.length / pageSize));
  return {
    output: {
      begndate,
      enddate,
      page_num: pageNum,
      page_size: pageSize,
      total: inPeriod.length,
      pages,
      data: inPeriod.slice((pageNum - 1) * pageSize, pageNum * pageSize).map(row),
    },
  };
}

function row(s: SettlementRecord): DetailRow {
  return {
    setl_id: s.setl_id,
    mdtrt_id: s.mdtrt_id,
    psn_no: s.psn_no,
    infno: s.infno,
    setl_time: beijingDateTime(s.setl_time),
    medfee_sumamt: toYuan(s.medfeeCents),
    fund_pay_sumamt: toYuan(s.fundCents),
    psn_pay_sumamt: toYuan(s.psnCents),
  };
}

function positiveInteger(input: Fields, key: string, fallback: number, max: number): number {
  const value = input[key];
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new Rejection(`${key} 须为 1–${max} 的整数`);
  }
  return value;
}

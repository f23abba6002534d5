import { beijingDate } from '../dates';
import { Fields, requireAmount, requireCount, requireDate } from '../input-fields';
import { isInForce, SettlementRecord } from '../ledger';
import { toYuan } from '../money';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/**
 * 3201 reconciliation (对总账, national code): the insurer's totals of this institution's
 * settlements in a period (by settlement date, Beijing time), reversed ones left out. When the
 * hospital sends its own totals, the answer says whether they agree (stmt_rslt, as nationally).
 */
export interface Totals {
  setl_cnt: number;
  medfee_sumamt: number;
  fund_pay_sumamt: number;
  psn_pay_sumamt: number;
}

export interface ReconciliationOutput {
  begndate: string;
  enddate: string;
  outpatient: Totals;
  inpatient: Totals;
  total: Totals;
  /** '0' agree, '1' disagree, null when the hospital sent no totals. */
  stmt_rslt: '0' | '1' | null;
  stmt_rslt_dscr: string | null;
}

const MAX_DAYS = 366;

export function reconciliation(ctx: TxContext): TxResult<ReconciliationOutput> {
  const begndate = requireDate(ctx.input, 'begndate');
  const enddate = requireDate(ctx.input, 'enddate');
  if (enddate < begndate) {
    throw new Rejection('对账截止日期 enddate 早于开始日期 begndate');
  }
  if ((Date.parse(enddate) - Date.parse(begndate)) / 86_400_000 >= MAX_DAYS) {
    throw new Rejection(`对账区间不能超过 ${MAX_DAYS} 天`);
  }
  const claimed = hospitalTotals(ctx.input);

  const inPeriod = [...ctx.ledger.settlements.values()].filter((s) => {
    const day = beijingDate(s.setl_time);
    return s.fixmedins_code === ctx.envelope.fixmedins_code && isInForce(s) && day >= begndate && day <= enddate;
  });
  const total = totals(inPeriod);
  let stmtRslt: '0' | '1' | null = null;
  let dscr: string | null = null;
  if (claimed !== undefined) {
    const differences = [
      claimed.setl_cnt !== total.setl_cnt ? `笔数 ${claimed.setl_cnt}/${total.setl_cnt}` : null,
      claimed.medfeeCents !== Math.round(total.medfee_sumamt * 100)
        ? `费用总额 ${toYuan(claimed.medfeeCents).toFixed(2)}/${total.medfee_sumamt.toFixed(2)}`
        : null,
      claimed.fundCents !== Math.round(total.fund_pay_sumamt * 100)
        ? `基金支付 ${toYuan(claimed.fundCents).toFixed(2)}/${total.fund_pay_sumamt.toFixed(2)}`
        : null,
    ].filter((d): d is string => d !== null);
    stmtRslt = differences.length === 0 ? '0' : '1';
    dscr = differences.length === 0 ? '对账一致' : `对账不一致（机构/经办）：${differences.join('；')}`;
  }
  return {
    output: {
      begndate,
      enddate,
      outpatient: totals(inPeriod.filter((s) => s.infno === '2207')),
      inpatient: totals(inPeriod.filter((s) => s.infno === '2304')),
      total,
      stmt_rslt: stmtRslt,
      stmt_rslt_dscr: dscr,
    },
  };
}

function hospitalTotals(input: Fields): { setl_cnt: number; medfeeCents: number; fundCents: number } | undefined {
  const keys = ['fixmedins_setl_cnt', 'medfee_sumamt', 'fund_pay_sumamt'];
  const given = keys.filter((k) => input[k] !== undefined && input[k] !== null);
  if (given.length === 0) {
    return undefined;
  }
  if (given.length !== keys.length) {
    throw new Rejection('机构对账数据 fixmedins_setl_cnt、medfee_sumamt、fund_pay_sumamt 须同时填写');
  }
  return {
    setl_cnt: requireCount(input, 'fixmedins_setl_cnt'),
    medfeeCents: requireAmount(input, 'medfee_sumamt'),
    fundCents: requireAmount(input, 'fund_pay_sumamt'),
  };
}

export function totals(settlements: SettlementRecord[]): Totals {
  const sum = (pick: (s: SettlementRecord) => number): number =>
    toYuan(settlements.reduce((acc, s) => acc + pick(s), 0));
  return {
    setl_cnt: settlements.length,
    medfee_sumamt: sum((s) => s.medfeeCents),
    fund_pay_sumamt: sum((s) => s.fundCents),
    psn_pay_sumamt: sum((s) => s.psnCents),
  };
}

import { beijingDateTime } from '../../upstream/protocol/msgid';
import { beijingDate } from '../dates';
import { optionalBoolean, requireAmount, requireCount, requireString } from '../input-fields';
import { isInForce } from '../ledger';
import { toYuan } from '../money';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';
import { totals } from './reconciliation';

/**
 * 3401 (ours) monthly declaration (每月申报, 协议 29): the month's settled totals. `offline_flag`
 * marks the summary a hospital submits for a month its link was down; `resubmit` replaces an
 * earlier declaration of the same month (otherwise a second one is refused). The answer tells
 * whether the figures agree with the insurer's own records.
 */
export interface MonthlyDeclarationOutput {
  receipt_id: string;
  decl_ym: string;
  decl_time: string;
  consistent: boolean;
  insurer_setl_cnt: number;
  insurer_medfee_sumamt: number;
  insurer_fund_pay_sumamt: number;
}

export function monthlyDeclaration(ctx: TxContext): TxResult<MonthlyDeclarationOutput> {
  const { input, ledger, envelope } = ctx;
  const declYm = requireString(input, 'decl_ym', '', { pattern: /^\d{4}-(0[1-9]|1[0-2])$/, format: 'yyyy-MM' });
  const setlCnt = requireCount(input, 'setl_cnt');
  const medfee = requireAmount(input, 'medfee_sumamt');
  const fund = requireAmount(input, 'fund_pay_sumamt');
  const psnPay = requireAmount(input, 'psn_pay_sumamt');
  const offline = optionalBoolean(input, 'offline_flag') ?? false;
  const resubmit = optionalBoolean(input, 'resubmit') ?? false;

  if (declYm > beijingDate(ctx.now).slice(0, 7)) {
    throw new Rejection('不能申报未来月份');
  }
  if (fund + psnPay !== medfee) {
    throw new Rejection('基金支付与个人支付之和不等于费用总额');
  }
  const key = `${envelope.fixmedins_code}|${declYm}`;
  const previous = ledger.declarations.get(key);
  if (previous !== undefined && !resubmit) {
    throw new Rejection(`${declYm} 已申报（回执 ${previous.receipt_id}）；更正请置 resubmit 为 true`);
  }
  if (previous === undefined && resubmit) {
    throw new Rejection(`${declYm} 尚未申报，不能更正申报`);
  }

  const ours = totals(
    [...ledger.settlements.values()].filter(
      (s) =>
        s.fixmedins_code === envelope.fixmedins_code && isInForce(s) && beijingDate(s.setl_time).startsWith(declYm),
    ),
  );
  const receiptId = ledger.nextId('MD', ctx.now);
  ledger.declarations.set(key, {
    receipt_id: receiptId,
    fixmedins_code: envelope.fixmedins_code,
    decl_ym: declYm,
    setl_cnt: setlCnt,
    medfeeCents: medfee,
    fundCents: fund,
    psnCents: psnPay,
    offline,
    at: ctx.now,
  });
  const consistent =
    ours.setl_cnt === setlCnt && ours.medfee_sumamt === toYuan(medfee) && ours.fund_pay_sumamt === toYuan(fund);
  return {
    output: {
      receipt_id: receiptId,
      decl_ym: declYm,
      decl_time: beijingDateTime(ctx.now),
      consistent,
      insurer_setl_cnt: ours.setl_cnt,
      insurer_medfee_sumamt: ours.medfee_sumamt,
      insurer_fund_pay_sumamt: ours.fund_pay_sumamt,
    },
    warn: consistent ? undefined : '申报数据与经办机构结算记录不一致，请核对后更正申报',
  };
}

import { beijingDateTime } from '../../upstream/protocol/msgid';
import { requireString } from '../input-fields';
import { SettlementCancelInfno } from '../ledger';
import { toYuan } from '../money';
import { Rejection } from '../rejection';
import { TxContext, TxResult } from './context';

/**
 * 2208 outpatient / 2305 inpatient settlement cancel (结算撤销, national codes and fields): the
 * normal business undo of a settlement, named by its `setl_id` — the patient changed his mind,
 * the data was wrong. On the books it does what 2601 does (the settlement leaves reconciliation
 * and declarations, its visit may settle again, its trace codes are free), but it is recorded
 * as a cancel with its own id and the amounts it takes back, and it is refused for a settlement
 * already reversed. 2601 冲正 stays for a message whose outcome is in doubt, named by `omsgid`.
 */
export interface SettlementCancelOutput {
  /** Id of the cancel record (national: the cancel is itself a settlement record). */
  setl_id: string;
  /** The settlement cancelled. */
  init_setl_id: string;
  mdtrt_id: string;
  psn_no: string;
  /** The amounts taken back, negative as nationally. */
  medfee_sumamt: number;
  fund_pay_sumamt: number;
  psn_pay_sumamt: number;
  cncl_time: string;
}

export function outpatientSettlementCancel(ctx: TxContext): TxResult<SettlementCancelOutput> {
  return cancelSettlement(ctx, '2208');
}

export function inpatientSettlementCancel(ctx: TxContext): TxResult<SettlementCancelOutput> {
  return cancelSettlement(ctx, '2305');
}

function cancelSettlement(ctx: TxContext, infno: SettlementCancelInfno): TxResult<SettlementCancelOutput> {
  const { input, ledger, envelope } = ctx;
  const psnNo = requireString(input, 'psn_no', '', { maxLength: 30 });
  const setlId = requireString(input, 'setl_id', '', { maxLength: 30 });
  const mdtrtId = requireString(input, 'mdtrt_id', '', { maxLength: 30 });

  const s = ledger.settlements.get(setlId);
  if (s === undefined) {
    throw new Rejection('结算ID setl_id 不存在');
  }
  if (s.fixmedins_code !== envelope.fixmedins_code) {
    throw new Rejection('结算ID setl_id 不是本机构的结算，只能撤销本机构的结算');
  }
  if (infno === '2208' && s.infno !== '2207') {
    throw new Rejection('结算ID setl_id 是住院结算，请用住院结算撤销（2305）');
  }
  if (infno === '2305' && s.infno !== '2304') {
    throw new Rejection('结算ID setl_id 是门诊结算，请用门诊结算撤销（2208）');
  }
  if (s.psn_no !== psnNo) {
    throw new Rejection('人员编号 psn_no 与原结算不符');
  }
  if (s.mdtrt_id !== mdtrtId) {
    throw new Rejection('就诊ID mdtrt_id 与原结算不符');
  }
  if (s.cancellation !== null) {
    throw new Rejection(`该结算已于 ${beijingDateTime(s.cancellation.at)} 撤销，不能重复撤销`);
  }
  if (s.reversal !== null) {
    throw new Rejection(`该结算已于 ${beijingDateTime(s.reversal.at)} 冲正（2601），无需撤销`);
  }

  const cancelId = ledger.nextId('CX', ctx.now);
  ledger.cancel(s, { msgid: envelope.msgid, infno, setl_id: cancelId, at: ctx.now });
  return {
    output: {
      setl_id: cancelId,
      init_setl_id: s.setl_id,
      mdtrt_id: s.mdtrt_id,
      psn_no: s.psn_no,
      medfee_sumamt: negative(s.medfeeCents),
      fund_pay_sumamt: negative(s.fundCents),
      psn_pay_sumamt: negative(s.psnCents),
      cncl_time: beijingDateTime(ctx.now),
    },
  };
}

/** −amount in yuan; zero stays 0 (not −0). */
function negative(cents: number): number {
  return cents === 0 ? 0 : toYuan(-cents);
}

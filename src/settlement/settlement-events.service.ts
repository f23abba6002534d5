import { Inject, Injectable } from '@nestjs/common';
import { DeviceEvents, type SettlementEventPayload } from '../devices/device-events';
import { Clock } from '../platform';
import type { ProvisionalSplit } from './rules/provisional-settlement';
import type { SettlementRecord } from './settlement.entity';

type Amounts = NonNullable<SettlementEventPayload['amounts']>;

/**
 * Desk feedback: each state change of a settlement is pushed to the desk that asked for it (the
 * settle request's `desk`) as a `settlement` event on that desk's WebSocket. Called only after the
 * change committed. Carries ids, status, amounts in fen and a Chinese message: never the worker's
 * name or ID number (nor the person number).
 */
@Injectable()
export class SettlementEventsService {
  constructor(
    @Inject(DeviceEvents) private readonly events: DeviceEvents,
    private readonly clock: Clock,
  ) {}

  /** `record` as it is now (after the committed change); nothing is pushed for a record with no desk. */
  changed(record: SettlementRecord): void {
    if (!record.desk) {
      return;
    }
    const amounts = amountsOf(record);
    this.events.publishSettlement({
      type: 'settlement',
      deviceId: 'settlement',
      desk: record.desk,
      settlement: {
        settlementId: record.id,
        visitId: record.mdtrtId,
        status: record.status,
        setlId: record.setlId,
        amounts,
        message: deskMessage(record, amounts),
        at: this.clock.now(),
      },
    });
  }
}

function amountsOf(r: SettlementRecord): Amounts | null {
  if (r.status === 'provisional' && r.provisionalSplit !== null) {
    const p = JSON.parse(r.provisionalSplit) as ProvisionalSplit;
    return { totalFen: p.totalFen, fundFen: p.fundFen, selfPayFen: p.selfPayFen, deskCollectsFen: p.deskCollectsFen };
  }
  if (r.split === null) {
    return null;
  }
  const split = JSON.parse(r.split) as {
    totalFen: number;
    fundFen: number;
    selfPayFen: number;
    refundFen?: number | null;
  };
  return {
    totalFen: split.totalFen,
    fundFen: split.fundFen,
    selfPayFen: split.selfPayFen,
    deskCollectsFen: r.deskCollectsFen ?? 0,
    ...(typeof split.refundFen === 'number' ? { refundFen: split.refundFen } : {}),
  };
}

const yuan = (fen: number): string => (fen / 100).toFixed(2);

/** The Chinese line the desk shows for the settlement's new state. */
export function deskMessage(r: SettlementRecord, amounts: Amounts | null): string {
  const visit = `就诊 ${r.mdtrtId}`;
  switch (r.status) {
    case 'pending':
      return `${visit}：结算已提交医保，正在等待结果，请勿重复结算`;
    case 'provisional':
      return amounts
        ? `${visit}：医保系统暂不可用，已按应急预案临时结算（以医保结算结果为准），总额 ${yuan(amounts.totalFen)} 元，暂按工伤基金支付 ${yuan(amounts.fundFen)} 元，请向患者收取 ${yuan(amounts.deskCollectsFen)} 元并交付临时结算单；医保恢复后自动上传，如有差额另行通知`
        : `${visit}：医保系统暂不可用，已按应急预案临时结算，医保恢复后自动上传`;
    case 'settled':
      if (r.problem !== null && r.cancelReason !== null) {
        return `${visit}：医保未同意撤销（${r.problem}），结算 ${r.setlId ?? ''} 仍然有效`;
      }
      if (amounts?.refundFen !== undefined) {
        return `${visit}：自费转工伤结算成功，结算号 ${r.setlId ?? ''}，总额 ${yuan(amounts.totalFen)} 元，工伤基金支付 ${yuan(amounts.fundFen)} 元，应退还患者 ${yuan(amounts.refundFen)} 元（患者已自费付清，无需另收费用）`;
      }
      if (r.provisionalSplit !== null) {
        return afterProvisional(r, amounts);
      }
      return amounts
        ? `${visit}：结算成功，结算号 ${r.setlId ?? ''}，总额 ${yuan(amounts.totalFen)} 元，工伤基金支付 ${yuan(amounts.fundFen)} 元，请向患者收取 ${yuan(amounts.deskCollectsFen)} 元`
        : `${visit}：结算成功，结算号 ${r.setlId ?? ''}`;
    case 'rejected':
      if (r.provisionalSplit !== null) {
        return `${visit}：医保拒绝了应急期间的临时结算（${r.problem ?? '未说明原因'}），就诊已重新开放：请查看结算差额清单，向患者补收工伤基金部分，或更正后重新结算`;
      }
      return `${visit}：医保拒绝结算（${r.problem ?? '未说明原因'}），就诊已重新开放，处理后可重新结算`;
    case 'needs-review':
      return `${visit}：医保已答复，但结算结果核对未通过，请勿重复结算，请联系信息科核查`;
    case 'cancelling':
      return `${visit}：撤销结算 ${r.setlId ?? ''} 已提交医保，正在等待结果`;
    case 'cancelled':
      return `${visit}：结算 ${r.setlId ?? ''} 已撤销，就诊已重新开放，可重新结算`;
  }
}

/** A provisional settlement the insurer settled: the final amounts, and what to collect or refund if they differ. */
function afterProvisional(r: SettlementRecord, amounts: Amounts | null): string {
  const collected = (JSON.parse(r.provisionalSplit as string) as ProvisionalSplit).deskCollectsFen;
  const owed = amounts?.deskCollectsFen ?? collected;
  const head = `就诊 ${r.mdtrtId}：应急期间的临时结算已由医保结算，结算号 ${r.setlId ?? ''}`;
  if (owed === collected) {
    return `${head}，与临时结算一致，无需补收或退还`;
  }
  return owed > collected
    ? `${head}，患者应付 ${yuan(owed)} 元，临时收取 ${yuan(collected)} 元：请向患者补收 ${yuan(owed - collected)} 元（见结算差额清单）`
    : `${head}，患者应付 ${yuan(owed)} 元，临时收取 ${yuan(collected)} 元：请退还患者 ${yuan(collected - owed)} 元（见结算差额清单）`;
}

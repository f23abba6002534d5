import { Inject, Injectable } from '@nestjs/common';
import { DeviceEvents, type SettlementEventPayload } from '../devices/device-events';
import { Clock } from '../platform';
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
    case 'settled':
      if (r.problem !== null && r.cancelReason !== null) {
        return `${visit}：医保未同意撤销（${r.problem}），结算 ${r.setlId ?? ''} 仍然有效`;
      }
      if (amounts?.refundFen !== undefined) {
        return `${visit}：自费转工伤结算成功，结算号 ${r.setlId ?? ''}，总额 ${yuan(amounts.totalFen)} 元，工伤基金支付 ${yuan(amounts.fundFen)} 元，应退还患者 ${yuan(amounts.refundFen)} 元（患者已自费付清，无需另收费用）`;
      }
      return amounts
        ? `${visit}：结算成功，结算号 ${r.setlId ?? ''}，总额 ${yuan(amounts.totalFen)} 元，工伤基金支付 ${yuan(amounts.fundFen)} 元，请向患者收取 ${yuan(amounts.deskCollectsFen)} 元`
        : `${visit}：结算成功，结算号 ${r.setlId ?? ''}`;
    case 'rejected':
      return `${visit}：医保拒绝结算（${r.problem ?? '未说明原因'}），就诊已重新开放，处理后可重新结算`;
    case 'needs-review':
      return `${visit}：医保已答复，但结算结果核对未通过，请勿重复结算，请联系信息科核查`;
    case 'cancelling':
      return `${visit}：撤销结算 ${r.setlId ?? ''} 已提交医保，正在等待结果`;
    case 'cancelled':
      return `${visit}：结算 ${r.setlId ?? ''} 已撤销，就诊已重新开放，可重新结算`;
  }
}

import { beijingDateTime } from '../../upstream/protocol/msgid';
import { visitKey } from '../ledger';
import { Rejection } from '../rejection';
import { VisitKind, VisitRecord } from '../visits';
import { TxContext } from './context';

/**
 * The visit (2201) or admission (2401) a message names, checked against the message: this
 * institution's, of the right kind, of this person, not cancelled. Another institution's visit
 * is reported as unknown, like a settlement in 3301.
 */
export function findVisit(
  ctx: TxContext,
  kind: VisitKind,
  mdtrtId: string,
  psnNo: string,
  cancelledMessage?: string,
): VisitRecord {
  const visit = ctx.ledger.visits.get(mdtrtId);
  if (visit === undefined || visit.fixmedins_code !== ctx.envelope.fixmedins_code) {
    throw new Rejection(
      kind === 'outpatient' ? '就诊ID mdtrt_id 不存在（未挂号登记）' : '就诊ID mdtrt_id 不存在（未办理入院）',
    );
  }
  checkVisit(visit, kind, psnNo, cancelledMessage);
  return visit;
}

/** The checks of findVisit on a visit already found (settlement finds it by mdtrt_id itself). */
export function checkVisit(visit: VisitRecord, kind: VisitKind, psnNo: string, cancelledMessage?: string): void {
  if (visit.kind !== kind) {
    throw new Rejection(
      kind === 'outpatient'
        ? '就诊ID mdtrt_id 是住院就诊，不能办理门诊业务'
        : '就诊ID mdtrt_id 是门诊就诊，不能办理住院业务',
    );
  }
  if (visit.psn_no !== psnNo) {
    throw new Rejection('人员编号 psn_no 与就诊登记不符');
  }
  if (visit.cancellation !== null) {
    const when = beijingDateTime(visit.cancellation.at);
    throw new Rejection(
      cancelledMessage ?? (kind === 'outpatient' ? `该就诊已于 ${when} 撤销挂号` : `该住院已于 ${when} 撤销入院`),
    );
  }
}

/** Settled by a settlement still in force (neither reversed nor cancelled). */
export function isSettled(ctx: TxContext, visit: VisitRecord): boolean {
  return ctx.ledger.activeByVisit.has(visitKey(visit.fixmedins_code, visit.mdtrt_id));
}

/** 2208 for an outpatient visit, 2305 for an admission. */
export function cancelInfnoOf(kind: VisitKind): string {
  return kind === 'outpatient' ? '2208' : '2305';
}

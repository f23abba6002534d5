import { inForceLocally, type InsurerSettlement, type LocalSettlement } from './settlement-figures';

/**
 * Which settlements make a reconciliation disagree (3201 says the totals differ; 3202 lists the
 * insurer's settlements in force): the gateway's settlements of the period against the insurer's,
 * matched by setl_id, each difference with its kind and what to do (Chinese for staff, English for IT).
 *
 * - only-at-insurer: in force at the insurer, the gateway has no settlement with that setl_id;
 * - only-local: in force on the gateway, not in force at the insurer (never arrived, cancelled or reversed there);
 * - figures-differ: both have it in force, with different amounts;
 * - state-differs: the gateway knows the settlement but not as in force — cancelled locally, or its
 *   outcome unknown (pending, needs-review, provisional) — while the insurer has it in force.
 */
export type DifferenceKind = 'only-at-insurer' | 'only-local' | 'figures-differ' | 'state-differs';

export interface SettlementSide {
  setlId: string | null;
  setlTime: string | null;
  totalFen: number;
  fundFen: number;
  selfPayFen: number;
  /** Gateway side: the settlement's status. */
  status?: string;
}

export interface SettlementDifference {
  kind: DifferenceKind;
  setlId: string | null;
  /** The gateway's settlement (settlement_record.id), when it has one. */
  settlementId: string | null;
  mdtrtId: string;
  psnNo: string;
  /** The settlement message's msgid (for 9201), when the gateway has one. */
  msgid: string | null;
  local: SettlementSide | null;
  insurer: SettlementSide | null;
  /** 中文: what staff should do. */
  todo: string;
  /** English: the same for IT. */
  hint: string;
}

export function compareSettlements(
  local: readonly LocalSettlement[],
  insurer: readonly InsurerSettlement[],
): SettlementDifference[] {
  const bySetlId = new Map<string, LocalSettlement>();
  const unknownByVisit = new Map<string, LocalSettlement>();
  for (const s of local) {
    if (s.setlId !== null) {
      bySetlId.set(s.setlId, s);
    } else if (s.status === 'pending' || s.status === 'needs-review' || s.status === 'provisional') {
      unknownByVisit.set(s.mdtrtId, s);
    }
  }
  const differences: SettlementDifference[] = [];
  const seen = new Set<string>();
  for (const theirs of insurer) {
    seen.add(theirs.setlId);
    const ours = bySetlId.get(theirs.setlId) ?? unknownByVisit.get(theirs.mdtrtId);
    if (!ours) {
      differences.push({
        ...ids(null, theirs),
        kind: 'only-at-insurer',
        local: null,
        insurer: side(theirs),
        todo: '经办机构有此结算，网关无记录：请核对 HIS 是否另行结算；确属误结算的，经信息科核实后办理结算撤销（2208/2305）',
        hint: 'the insurer has this settlement in force and the gateway has no record of it: check whether it was settled outside the gateway; if it is wrong, cancel it (2208/2305) after IT review',
      });
      continue;
    }
    if (!inForceLocally(ours)) {
      differences.push({
        ...ids(ours, theirs),
        kind: 'state-differs',
        local: side(ours),
        insurer: side(theirs),
        ...stateTodo(ours),
      });
      continue;
    }
    if (ours.totalFen !== theirs.totalFen || ours.fundFen !== theirs.fundFen || ours.selfPayFen !== theirs.selfPayFen) {
      differences.push({
        ...ids(ours, theirs),
        kind: 'figures-differ',
        local: side(ours),
        insurer: side(theirs),
        todo: `本地金额与经办机构不一致：请用 9201 查询原结算报文（${ours.msgid}）核对；以经办机构为准，经信息科复核更正本地记录`,
        hint: `the amounts differ: query the settlement message ${ours.msgid} with 9201 and compare; the insurer's figures stand, correct the local record through IT review`,
      });
    }
  }
  for (const ours of local) {
    if (inForceLocally(ours) && !seen.has(ours.setlId as string)) {
      differences.push({
        ...ids(ours, null),
        kind: 'only-local',
        local: side(ours),
        insurer: null,
        todo: `网关记为已结算，经办机构无此有效结算：请用 9201 查询原结算报文（${ours.msgid}）；如已在经办机构撤销或冲正，经信息科复核后更正本地记录，否则联系经办机构`,
        hint: `settled on the gateway but not in force at the insurer: query message ${ours.msgid} with 9201; if the insurer cancelled or reversed it, correct the local record through IT review, otherwise contact the insurer`,
      });
    }
  }
  return differences;
}

function stateTodo(ours: LocalSettlement): { todo: string; hint: string } {
  switch (ours.status) {
    case 'cancelled':
      return {
        todo: '本地已撤销，经办机构仍为有效结算：撤销未在经办机构生效，请重新办理结算撤销（2208/2305）或联系经办机构',
        hint: 'cancelled on the gateway but still in force at the insurer: the cancel did not take effect there; cancel it again (2208/2305) or contact the insurer',
      };
    case 'needs-review':
      return {
        todo: '本地结算待信息科复核，经办机构已结算：请在复核中按经办机构结算结果确认（setl_id 见经办机构一栏）',
        hint: "needs-review on the gateway, settled at the insurer: resolve the review as settled with the insurer's setl_id and split",
      };
    case 'pending':
    case 'provisional':
      return {
        todo: '本地结算尚未收到经办机构结果，经办机构已结算：待发送队列取得结果后重新对账',
        hint: "the gateway is still waiting for the insurer's answer to this settlement while the insurer has it in force: reconcile again once the outbox has its outcome",
      };
    case 'cancelling':
    case 'rejected':
    case 'settled':
      return {
        todo: `本地状态为 ${ours.status}，经办机构为有效结算：请信息科核对该笔结算`,
        hint: `status ${ours.status} on the gateway, in force at the insurer: review the settlement`,
      };
  }
}

function ids(
  ours: LocalSettlement | null,
  theirs: InsurerSettlement | null,
): Pick<SettlementDifference, 'setlId' | 'settlementId' | 'mdtrtId' | 'psnNo' | 'msgid'> {
  return {
    setlId: theirs?.setlId ?? ours?.setlId ?? null,
    settlementId: ours?.settlementId ?? null,
    mdtrtId: ours?.mdtrtId ?? theirs?.mdtrtId ?? '',
    psnNo: ours?.psnNo ?? theirs?.psnNo ?? '',
    msgid: ours?.msgid ?? null,
  };
}

function side(s: LocalSettlement | InsurerSettlement): SettlementSide {
  return {
    setlId: s.setlId,
    setlTime: s.setlTime,
    totalFen: s.totalFen,
    fundFen: s.fundFen,
    selfPayFen: s.selfPayFen,
    ...('status' in s ? { status: s.status } : {}),
  };
}

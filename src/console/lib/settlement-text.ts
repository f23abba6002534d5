/**
 * Settlement in the words finance staff read (docs/settlement.md): a settlement's status and what to
 * do about it, the pre-audit's findings (blocking or not), each line's disposition, and the split of
 * a trial or a settlement as rows of yuan. Framework-free, unit-tested.
 */
import type { FindingDto, InsurerSplitDto, SettlementDto } from '../api/settlement';
import { formatFen } from './money';

export type Tone = 'success' | 'warning' | 'danger' | 'info';

interface StatusView {
  text: string;
  tone: Tone;
  /** What finance staff do about a settlement in this status. */
  todo: string;
}

const STATUSES: Record<string, StatusView> = {
  pending: {
    text: '结果未知',
    tone: 'warning',
    todo: '已发送经办机构，尚未收到结果：网关会自动查询，请稍后刷新；不要重复结算。如患者要求撤销，可申请撤销（结果明确后执行）',
  },
  provisional: {
    text: '临时结算',
    tone: 'warning',
    todo: '经办机构不可用时按本地预审临时结算：按临时结算单收费；经办机构恢复后自动补结算，如有差额在“待补收/退款”中处理',
  },
  settled: { text: '已结算', tone: 'success', todo: '可打印结算单；如需撤销，请填写原因后撤销结算' },
  rejected: { text: '经办机构拒绝', tone: 'danger', todo: '按拒绝原因处理后重新预审、结算' },
  'needs-review': {
    text: '待复核',
    tone: 'danger',
    todo: '经办机构的应答未通过核对，分割金额不可信：请信息科复核（重新查询或确认结果）后再收费',
  },
  cancelling: { text: '撤销中', tone: 'warning', todo: '撤销已发送经办机构，请稍后刷新' },
  cancelled: { text: '已撤销', tone: 'info', todo: '该就诊已可修改费用并重新结算' },
};

export function statusView(status: string): StatusView {
  return STATUSES[status] ?? { text: `未知状态（${status}）`, tone: 'info', todo: '请联系信息科' };
}

/** The statuses the 待处理 list shows, in the order staff work through them. */
export const ATTENTION_STATUSES = ['needs-review', 'pending', 'provisional', 'cancelling'] as const;

const VISIT_STATES: Record<string, string> = { open: '未结算', settling: '结算中', settled: '已结算' };

export function visitStateText(state: string): string {
  return VISIT_STATES[state] ?? state;
}

export function visitKindText(kind: string): string {
  return kind === 'inpatient' ? '住院' : kind === 'outpatient' ? '门诊' : kind;
}

const SEVERITIES: Record<string, { text: string; tone: Tone; blocking: boolean }> = {
  refuse: { text: '阻止结算', tone: 'danger', blocking: true },
  hospitalLoss: { text: '医院承担', tone: 'warning', blocking: false },
  selfPay: { text: '个人自付', tone: 'warning', blocking: false },
  warn: { text: '提示', tone: 'info', blocking: false },
};

export function severityView(severity: string): { text: string; tone: Tone; blocking: boolean } {
  return SEVERITIES[severity] ?? { text: severity, tone: 'info', blocking: false };
}

/** Blocking findings first (what must be fixed before settling), then the rest, each group in the API's order. */
export function sortFindings(findings: readonly FindingDto[]): FindingDto[] {
  const blocking = findings.filter((f) => severityView(f.severity).blocking);
  return [...blocking, ...findings.filter((f) => !severityView(f.severity).blocking)];
}

const DISPOSITIONS: Record<string, { text: string; tone: Tone }> = {
  fund: { text: '基金支付', tone: 'success' },
  selfPay: { text: '个人自付', tone: 'warning' },
  refused: { text: '不予结算', tone: 'danger' },
};

export function dispositionView(disposition: string): { text: string; tone: Tone } {
  return DISPOSITIONS[disposition] ?? { text: disposition, tone: 'info' };
}

const LOCAL_SELF_PAY: Record<string, string> = {
  'not-mapped': '未对码，不上传经办机构',
  'after-discharge-notice': '出院通知后发生，不由基金支付',
};

export function localSelfPayText(reason: string): string {
  return LOCAL_SELF_PAY[reason] ?? reason;
}

export interface SplitRow {
  label: string;
  amount: string;
  /** The line staff act on (what to collect, or refund). */
  emphasis?: boolean;
}

/**
 * The split as rows of yuan: the insurer's total, the fund's part (统筹/基金支付), the worker's part
 * (个人自付), the lines kept out of the message, and what the desk collects (or, for a 自费转工伤,
 * refunds).
 */
export function splitRows(
  split: Pick<InsurerSplitDto, 'totalFen' | 'fundFen' | 'selfPayFen' | 'refundFen'>,
  localSelfPayFen: number,
  deskCollectsFen: number | null,
): SplitRow[] {
  const rows: SplitRow[] = [
    { label: '医疗费用总额（上传经办机构）', amount: formatFen(split.totalFen) },
    { label: '工伤保险基金支付（统筹）', amount: formatFen(split.fundFen) },
    { label: '个人自付（经办机构核定）', amount: formatFen(split.selfPayFen) },
  ];
  if (localSelfPayFen > 0) {
    rows.push({ label: '院内自付（未上传项目）', amount: formatFen(localSelfPayFen) });
  }
  if (split.refundFen !== null && split.refundFen !== undefined) {
    rows.push({ label: '应退还患者（自费转工伤）', amount: formatFen(split.refundFen), emphasis: true });
  }
  if (deskCollectsFen !== null) {
    rows.push({ label: '应向患者收取', amount: formatFen(deskCollectsFen), emphasis: true });
  }
  return rows;
}

/** What a settlement lets staff do from the page. */
export function settlementActions(
  s: Pick<SettlementDto, 'status' | 'cancelRequested'>,
  mayRequery: boolean,
): { print: boolean; cancel: boolean; requery: boolean } {
  const waitingCancel = s.cancelRequested !== null && s.cancelRequested.state === 'waiting';
  return {
    // The final statement once settled (kept while the cancel travels), the 临时结算单 while provisional.
    print: s.status === 'settled' || s.status === 'cancelling' || s.status === 'provisional',
    // A settled one is cancelled; one in doubt gets a cancel request, carried out once its outcome is known.
    cancel: (s.status === 'settled' || s.status === 'pending' || s.status === 'needs-review') && !waitingCancel,
    requery: mayRequery && s.status === 'needs-review',
  };
}

/** A settle request's Idempotency-Key: one per attempt the staff member confirms, so a retried POST is the same settlement. */
export function settleKey(visitId: string, now: Date, random: () => number = Math.random): string {
  return `console-${visitId}-${now.getTime().toString(36)}-${Math.floor(random() * 36 ** 6).toString(36)}`;
}

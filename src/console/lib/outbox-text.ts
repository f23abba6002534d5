/**
 * The outbox in the words IT staff read: message states, attempt outcomes and transaction names
 * (the gateway's own: src/upstream/outbox/*.entity.ts and INFNO_NAMES in
 * src/upstream/protocol/transactions.ts), and which actions a message allows.
 */
// The gateway's own table of transaction names: a plain constant module with no imports, bundled as is.
import { INFNO_NAMES } from '../../upstream/protocol/transactions';
import type { OutboxMessageDto } from '../api/outbox';
import { beijingTime } from './emergency';

export type Tone = 'success' | 'warning' | 'danger' | 'info';

const STATUSES: Record<string, { text: string; tone: Tone }> = {
  pending: { text: '待发送', tone: 'warning' },
  sending: { text: '发送中', tone: 'warning' },
  unknown: { text: '结果未知（查询中）', tone: 'warning' },
  delivered: { text: '已送达', tone: 'success' },
  rejected: { text: '被拒绝', tone: 'danger' },
  cancelled: { text: '已撤销', tone: 'info' },
};

const OUTCOMES: Record<string, string> = {
  delivered: '已送达',
  rejected: '被拒绝',
  unavailable: '经办机构繁忙，稍后重试',
  'not-sent': '未发出（连接被拒绝），可安全重发',
  unknown: '结果未知（超时或连接中断），将按报文ID查询',
  'bad-signature': '应答签名验证失败，按结果未知处理',
  'not-received': '查询结果：经办机构未收到',
};

export function outboxStatusText(status: string): string {
  return STATUSES[status]?.text ?? status;
}

export function outboxStatusTone(status: string): Tone {
  return STATUSES[status]?.tone ?? 'info';
}

export function attemptOutcomeText(outcome: string): string {
  return OUTCOMES[outcome] ?? outcome;
}

/** 2207 门诊结算. */
export function infnoText(infno: string): string {
  const name = (INFNO_NAMES as Readonly<Record<string, string | undefined>>)[infno];
  return name ? `${infno} ${name}` : infno;
}

/** The transactions for the filter's choices, by code. */
export function infnoChoices(): Array<{ value: string; label: string }> {
  return Object.keys(INFNO_NAMES)
    .sort()
    .map((value) => ({ value, label: infnoText(value) }));
}

/** Only a rejected message is sent again (as a new message), once its cause is fixed. */
export function canRerun(m: Pick<OutboxMessageDto, 'status'>): boolean {
  return m.status === 'rejected';
}

/** Only a message not yet sent may be withdrawn: one that may have arrived cannot be. */
export function canCancel(m: Pick<OutboxMessageDto, 'status'>): boolean {
  return m.status === 'pending';
}

/** What the gateway answered to a rerun, in one sentence. */
export function rerunText(original: Pick<OutboxMessageDto, 'msgid'>, copy: OutboxMessageDto): string {
  return `已重新发送：原报文 ${original.msgid} 作为新报文 ${copy.msgid} 进入队列（${outboxStatusText(copy.status)}）`;
}

export function cancelText(m: OutboxMessageDto): string {
  return `已撤销报文 ${m.msgid}${m.cancelReason ? `（原因：${m.cancelReason}）` : ''}`;
}

/** A time as IT reads it, Beijing time to the second; '—' for none. */
export function beijingSeconds(iso: string | null): string {
  if (iso === null) {
    return '—';
  }
  const seconds = new Date(new Date(iso).getTime() + 8 * 3600_000).getUTCSeconds();
  return `${beijingTime(iso)}:${String(seconds).padStart(2, '0')}`;
}

/**
 * Devices and their events in the words desk staff read: the kind of device, its state, and one
 * line per event. The states and event types are the gateway's (src/devices/device-event-wire.ts).
 */

export interface DeviceSummary {
  id: string;
  kind: string;
  desk: string;
  state: string;
  message: string;
  since: string;
}

const KINDS: Record<string, string> = {
  'id-card': '身份证读卡器',
  'ssse-card': '社保卡读卡器',
  scanner: '扫码枪',
};

const STATES: Record<string, string> = {
  connecting: '连接中',
  connected: '已连接',
  waiting: '等待读卡',
  reading: '读卡中',
  'authentication-required': '需要认证',
  disconnected: '未连接',
  error: '故障',
};

export type StateTone = 'success' | 'warning' | 'danger' | 'info';

export function kindText(kind: string): string {
  return KINDS[kind] ?? kind;
}

export function stateText(state: string): string {
  return STATES[state] ?? state;
}

export function stateTone(state: string): StateTone {
  switch (state) {
    case 'connected':
    case 'waiting':
    case 'reading':
      return 'success';
    case 'connecting':
    case 'authentication-required':
      return 'warning';
    case 'disconnected':
    case 'error':
      return 'danger';
    default:
      return 'info';
  }
}

const VERDICTS: Record<string, string> = {
  MATCH: '人、卡、码相符',
  MISMATCH: '人、卡、码不符，拒绝记账',
  NOT_COVERED: '不在工伤保险待遇范围',
  INCOMPLETE: '核验未完成',
};
const TRACE_OUTCOMES: Record<string, string> = { accepted: '已采集', refused: '拒收', duplicate: '重复' };

/** One line for the live list of the desk page; null for what is not an event (the hello). */
export function eventText(event: Record<string, unknown>): string | null {
  const str = (key: string): string => {
    const value = event[key];
    return typeof value === 'string' ? value : '';
  };
  switch (event.type) {
    case 'status':
      return `${str('deviceId')}：${stateText(str('state'))}${str('message') ? ` — ${str('message')}` : ''}`;
    case 'id-card':
      return `${str('deviceId')}：读到身份证`;
    case 'ssse-card':
      return str('result') === 'complete'
        ? `${str('deviceId')}：读到社保卡`
        : `${str('deviceId')}：社保卡需要认证${messageIn(event.reason)}`;
    case 'scan':
      return `${str('deviceId')}：扫码 ${str('text')}`;
    case 'verdict':
      return `核验结果：${VERDICTS[str('verdict')] ?? str('verdict')}`;
    case 'trace-code': {
      const outcome = TRACE_OUTCOMES[str('outcome')] ?? str('outcome');
      return `追溯码${outcome}${str('code') ? ` ${str('code')}` : ''}${messageIn(event.refusal)}`;
    }
    case 'settlement':
      return `结算 ${str('visitId')}：${str('status')}`;
    default:
      return null;
  }
}

function messageIn(value: unknown): string {
  if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
    return ` — ${(value as { message: string }).message}`;
  }
  return '';
}

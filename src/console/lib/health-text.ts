/**
 * /health in words for IT staff: the overall state on top, then one block of Chinese sentences per
 * component the gateway reports (database, the insurer link and its outbox, devices, desk agents,
 * settlement, duties, the working-day calendar; any other component by its status and detail).
 * The fields read here are those of src/platform/health/ and each capability's *.health.ts.
 */
import { beijingTime } from './emergency';
import { kindText, stateText } from './device-text';

export type HealthTone = 'success' | 'warning' | 'danger' | 'info';

export interface HealthComponentBody {
  status: string;
  detail?: string;
  [extra: string]: unknown;
}

/** GET /health (HealthDto); also the body of its 503. */
export interface HealthDto {
  status: string;
  mode?: string;
  version?: string;
  uptimeSeconds?: number;
  components: Record<string, HealthComponentBody>;
}

export interface HealthBlock {
  /** The component's slot name in /health. */
  name: string;
  title: string;
  tone: HealthTone;
  /** 正常 / 需要关注 / 故障. */
  stateText: string;
  sentences: string[];
}

export interface HealthSummary {
  tone: HealthTone;
  headline: string;
  /** Mode, version and uptime in one line. */
  facts: string;
  blocks: HealthBlock[];
}

const TITLES: Record<string, string> = {
  database: '数据库',
  upstream: '经办机构（医保中心）连接',
  devices: '读卡器与扫码枪',
  agents: '桌面代理',
  settlement: '结算',
  obligations: '限时事项',
  calendar: '工作日日历',
};

/** The order blocks are shown in; components not named here follow in their /health order. */
const ORDER = ['database', 'upstream', 'devices', 'agents', 'settlement', 'obligations', 'calendar'];

const OUTBOX_STATES: Record<string, string> = {
  pending: '待发送',
  sending: '发送中',
  unknown: '结果未知（待查询）',
  delivered: '已送达',
  rejected: '被拒绝',
  cancelled: '已撤销',
};

const OBLIGATION_KINDS: Record<string, string> = {
  'cross-province-upload': '跨省异地就医结算上传',
  'rehab-assessment': '康复评估',
  'inpatient-documents': '住院结算四项资料上传',
  'monthly-declaration': '月度申报',
  reconciliation: '对账',
  'audit-result': '审核结果',
};

export function toneOf(status: string): HealthTone {
  switch (status) {
    case 'up':
      return 'success';
    case 'degraded':
      return 'warning';
    case 'down':
      return 'danger';
    default:
      return 'info';
  }
}

export function statusText(status: string): string {
  switch (status) {
    case 'up':
      return '正常';
    case 'degraded':
      return '需要关注';
    case 'down':
      return '故障';
    default:
      return status;
  }
}

/** 3 天 2 小时, 5 分钟, 40 秒: the largest two units that are not zero. */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const units: Array<[number, string]> = [
    [Math.floor(s / 86_400), '天'],
    [Math.floor((s % 86_400) / 3600), '小时'],
    [Math.floor((s % 3600) / 60), '分钟'],
    [s % 60, '秒'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first === -1) {
    return '0 秒';
  }
  return units
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

export function healthSummary(health: HealthDto): HealthSummary {
  const tone = toneOf(health.status);
  const headline =
    health.status === 'up'
      ? '网关运行正常：各部分均正常'
      : health.status === 'degraded'
        ? '网关可以使用，但有需要关注的部分（见下方黄色/红色项）'
        : health.status === 'down'
          ? '网关故障：关键部分不可用（见下方红色项），请立即处理'
          : `网关状态：${health.status}`;
  const facts = [
    health.mode === 'sandbox'
      ? '沙箱模式（测试用，不连接真实经办机构）'
      : health.mode === 'production'
        ? '正式运行'
        : '',
    health.version ? `版本 ${health.version}` : '',
    typeof health.uptimeSeconds === 'number' ? `已运行 ${durationText(health.uptimeSeconds)}` : '',
  ]
    .filter((f) => f !== '')
    .join('；');
  const names = Object.keys(health.components).sort((a, b) => rank(a) - rank(b));
  return { tone, headline, facts, blocks: names.map((name) => block(name, health.components[name])) };
}

function rank(name: string): number {
  const i = ORDER.indexOf(name);
  return i === -1 ? ORDER.length : i;
}

function block(name: string, c: HealthComponentBody): HealthBlock {
  const sentences = sentencesOf(name, c);
  return {
    name,
    title: TITLES[name] ?? name,
    tone: toneOf(c.status),
    stateText: statusText(c.status),
    sentences: sentences.length > 0 ? sentences : [fallback(c)],
  };
}

function fallback(c: HealthComponentBody): string {
  return c.detail ? `${statusText(c.status)}：${c.detail}` : statusText(c.status);
}

function sentencesOf(name: string, c: HealthComponentBody): string[] {
  switch (name) {
    case 'database':
      return database(c);
    case 'upstream':
      return upstream(c);
    case 'devices':
      return devices(c);
    case 'agents':
      return agents(c);
    case 'settlement':
      return settlement(c);
    case 'obligations':
      return obligations(c);
    case 'calendar':
      return calendar(c);
    default:
      return [];
  }
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** A string or number as text; anything else as ''. */
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const record = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function database(c: HealthComponentBody): string[] {
  if (c.status === 'down') {
    return [`数据库无法访问：${c.detail ?? '没有回答'}。网关无法保存任何数据，请检查数据库服务和连接配置。`];
  }
  const out = [`数据库可以访问（${c.detail ?? ''}），响应 ${num(c.latencyMs)} 毫秒。`];
  if (str(c.migrations)) {
    out.push('有尚未执行的数据库升级：请运行 npm run gateway -- migrate。');
  }
  return out;
}

function upstream(c: HealthComponentBody): string[] {
  const out: string[] = [];
  const mode = str(c.mode);
  const detail = c.detail ?? '';
  if (detail.startsWith('no insurer link')) {
    out.push('没有配置经办机构地址（upstream.baseUrl）：上传的报文都在队列中等待。');
  } else if (mode === 'emergency') {
    const since = str(c.unreachableSince);
    out.push(
      `应急模式：经办机构${since ? `自 ${beijingTime(since)}（北京时间）起` : ''}无法连接，报文在队列中等待，恢复后自动发送。`,
    );
  } else {
    out.push('与经办机构的连接正常。');
  }
  const last = str(c.lastContactAt);
  if (last) {
    out.push(`最近一次与经办机构通信：${beijingTime(last)}（北京时间）。`);
  }
  const queue = record(c.queue);
  const waiting = num(queue.pending) + num(queue.sending) + num(queue.unknown);
  if (waiting === 0) {
    out.push('上传队列中没有等待发送的报文。');
  } else {
    const parts = ['pending', 'sending', 'unknown']
      .filter((k) => num(queue[k]) > 0)
      .map((k) => `${OUTBOX_STATES[k]} ${num(queue[k])} 条`);
    out.push(
      `上传队列中有 ${waiting} 条报文在途（${parts.join('，')}），最早的已等待 ${durationText(num(c.oldestWaitingSeconds))}。`,
    );
  }
  if (num(queue.rejected) > 0) {
    out.push(`有 ${num(queue.rejected)} 条报文被经办机构拒绝：请在“上传队列”中查看原因，处理后重新发送。`);
  }
  return out;
}

/** States in which a device works (as src/devices/devices.health.ts counts them). */
const WORKING_STATES = ['connected', 'waiting', 'reading', 'authentication-required'];

function devices(c: HealthComponentBody): string[] {
  const list = Object.entries(record(c.devices)).map(([id, v]): Record<string, unknown> & { id: string } => ({
    ...record(v),
    id,
  }));
  if (list.length === 0) {
    return ['没有配置读卡器或扫码枪。'];
  }
  const troubled = list.filter((d) => !WORKING_STATES.includes(text(d.state)));
  const out = [
    troubled.length === 0
      ? `全部 ${list.length} 台设备工作正常。`
      : `${list.length} 台设备中 ${list.length - troubled.length} 台工作正常，${troubled.length} 台有问题：`,
  ];
  for (const d of troubled) {
    const message = str(d.message);
    out.push(
      `${text(d.desk)} 的${kindText(text(d.kind))}（${d.id}）${stateText(text(d.state))}${message ? `：${message}` : ''}`,
    );
  }
  return out;
}

function agents(c: HealthComponentBody): string[] {
  const list = Object.values(record(c.agents)).map(record);
  if (list.length === 0) {
    return ['没有登记桌面代理。'];
  }
  const linked = list.filter((a) => a.connected === true).length;
  const out = [`已登记 ${list.length} 个桌面代理，${linked} 个连接在本网关。`];
  if (c.status !== 'up') {
    out.push(
      `有工作站的桌面代理长时间未连接，该工作站的设备无法使用：${(c.detail ?? '').split(': ').slice(1).join(': ') || c.detail || ''}`,
    );
  }
  for (const a of list) {
    const buffered = a.bufferedScans;
    if (typeof buffered === 'number' && buffered > 0) {
      out.push(`${text(a.desk)}（${text(a.name)}）有 ${buffered} 次扫码暂存在本机，等待送达。`);
    }
  }
  return out;
}

function settlement(c: HealthComponentBody): string[] {
  const out: string[] = [];
  if (num(c.unknown) > 0) {
    out.push(`${num(c.unknown)} 笔结算等待经办机构结果超时（结果未知），网关会继续查询。`);
  }
  if (num(c.needsReview) > 0) {
    out.push(`${num(c.needsReview)} 笔结算需要信息科复核（经办机构的回复未通过校验）。`);
  }
  if (num(c.provisional) > 0) {
    out.push(`${num(c.provisional)} 笔临时结算（经办机构不可用时办理）等待发送。`);
  }
  if (num(c.openDifferences) > 0) {
    out.push(`${num(c.openDifferences)} 笔临时结算与正式结算的差额尚待补收或退还。`);
  }
  return out.length > 0 ? out : ['没有等待经办机构或等待复核的结算。'];
}

function obligations(c: HealthComponentBody): string[] {
  const overdue = Object.entries(record(c.overdue)).filter(([, n]) => num(n) > 0);
  const out: string[] = [];
  if (overdue.length === 0) {
    out.push(`没有逾期的限时事项；进行中 ${num(c.open)} 项。`);
  } else {
    const total = overdue.reduce((sum, [, n]) => sum + num(n), 0);
    out.push(
      `有 ${total} 项限时事项已逾期：${overdue.map(([k, n]) => `${OBLIGATION_KINDS[k] ?? k} ${num(n)} 项`).join('，')}。请尽快处理。`,
    );
  }
  const insurer = Object.entries(record(c.insurerOverdue)).filter(([, n]) => num(n) > 0);
  if (insurer.length > 0) {
    out.push(
      `经办机构逾期未办：${insurer.map(([k, n]) => `${OBLIGATION_KINDS[k] ?? k} ${num(n)} 项`).join('，')}（仅供知悉）。`,
    );
  }
  return out;
}

function calendar(c: HealthComponentBody): string[] {
  const unknown = Array.isArray(c.unknownYears) ? c.unknownYears.map(String) : [];
  if (unknown.length > 0) {
    return [
      `日历缺少 ${unknown.join('、')} 年的法定节假日和调休安排：限时事项的到期日可能算错，请按国务院办公厅通知补充日历。`,
    ];
  }
  const until = c.knownUntil;
  return [until ? `法定节假日已知到 ${text(until)} 年，限时事项按工作日计算。` : '法定节假日已知。'];
}

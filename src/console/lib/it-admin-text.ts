/**
 * The 信息科 pages' words: scopes, roles, account states, audit outcomes and actors in Chinese,
 * the lock state of an account, Beijing-time inputs for the audit log's time range, and the
 * configuration's values as IT reads them. Framework-free, unit-tested.
 */
import type { AuditQueryDto, CreateApiKeyDto } from '../api/admin';
import type { StaffRole } from '../api/staff-session';
import { beijingTime } from './emergency';

export type Scope = CreateApiKeyDto['scopes'][number];
export type AuditOutcome = NonNullable<AuditQueryDto['outcome']>;
export type AuditActorType = NonNullable<AuditQueryDto['actorType']>;

/** Every scope the API knows, with its words (a scope added to the API fails the type check until it has them). */
const SCOPE_TEXT: Record<Scope, string> = {
  identity: '身份核验',
  'trace-codes': '药品追溯码',
  forms: '表单',
  settlement: '结算',
  operations: '时限任务',
  admin: '系统管理',
  audit: '审计日志（只读）',
};

/** 身份核验（identity）: the Chinese name with the code the API and HIS use. */
export function scopeText(scope: string): string {
  const text = (SCOPE_TEXT as Record<string, string | undefined>)[scope];
  return text === undefined ? scope : `${text}（${scope}）`;
}

/** The scopes in the order the page offers them. */
export const SCOPES = Object.keys(SCOPE_TEXT) as Scope[];

export const ROLES: readonly StaffRole[] = ['desk', 'pharmacy', 'doctor', 'finance', 'it-admin', 'auditor'];

const ROLE_TEXT: Record<string, string> = {
  desk: '挂号/收费窗口',
  pharmacy: '药房',
  doctor: '医生',
  finance: '结算/财务',
  'it-admin': '信息科',
  auditor: '审计',
};

export function roleText(role: string): string {
  return ROLE_TEXT[role] ?? role;
}

export interface StaffStateView {
  text: string;
  tone: 'success' | 'warning' | 'danger' | 'info';
}

/** An account's state as IT reads it: 停用（reason）, 已锁定至 <Beijing time>, or 正常. */
export function staffStateView(
  staff: { state: string; lockedUntil: string | null; disabledReason: string | null },
  now: Date,
): StaffStateView {
  if (staff.state === 'disabled') {
    return { text: staff.disabledReason ? `已停用（${staff.disabledReason}）` : '已停用', tone: 'info' };
  }
  if (staff.lockedUntil !== null && new Date(staff.lockedUntil).getTime() > now.getTime()) {
    return { text: `已锁定至 ${beijingTime(staff.lockedUntil)}（北京时间）`, tone: 'danger' };
  }
  return { text: '正常', tone: 'success' };
}

const OUTCOME_TEXT: Record<AuditOutcome, string> = { success: '成功', failure: '失败', denied: '拒绝' };
const ACTOR_TYPE_TEXT: Record<AuditActorType, string> = {
  'api-key': '接口密钥',
  staff: '员工',
  system: '系统',
  cli: '命令行',
};

export function outcomeText(outcome: string): string {
  return (OUTCOME_TEXT as Record<string, string | undefined>)[outcome] ?? outcome;
}

export function actorTypeText(actorType: string): string {
  return (ACTOR_TYPE_TEXT as Record<string, string | undefined>)[actorType] ?? actorType;
}

export const OUTCOMES = Object.keys(OUTCOME_TEXT) as AuditOutcome[];
export const ACTOR_TYPES = Object.keys(ACTOR_TYPE_TEXT) as AuditActorType[];

/**
 * A time typed as Beijing time ('2026-12-03 08:00', the date picker's value) as an ISO instant
 * the API takes, whatever the PC's time zone; '' stays '' (no bound), anything else is refused.
 */
export function beijingInputToIso(value: string): string {
  const text = value.trim();
  if (text === '') {
    return '';
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) {
    throw new RangeError(`not a Beijing time: ${value}`);
  }
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}+08:00`;
}

/** A time the staff see: Beijing time with seconds (the audit log needs them), or '—'. */
export function beijingSeconds(iso: string | null): string {
  if (iso === null) {
    return '—';
  }
  const ms = new Date(iso).getTime();
  const seconds = String(Math.floor((((ms % 60_000) + 60_000) % 60_000) / 1000)).padStart(2, '0');
  return `${beijingTime(iso)}:${seconds}`;
}

const ORIGIN_TEXT: Record<string, string> = {
  default: '默认值',
  file: '配置文件',
  env: '环境变量',
  override: '程序指定',
};

export function originText(origin: string | null): string {
  return origin === null ? '—' : (ORIGIN_TEXT[origin] ?? origin);
}

/** A configuration value in one line: text as is, '（空）' for empty, lists and sections as JSON. */
export function configValueText(value: unknown): string {
  if (value === null || value === '') {
    return '（空）';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'boolean') {
    return value ? '是（true）' : '否（false）';
  }
  if (Array.isArray(value) && value.length === 0) {
    return '（无）';
  }
  return JSON.stringify(value);
}

export interface ConfigGroup {
  /** The top-level section: 'server', 'database', …; '' for the top-level values (mode, dataDir). */
  section: string;
  entries: { key: string; path: string; value: unknown; masked: boolean; origin: string | null }[];
}

/**
 * The entries grouped by their top-level section, in the gateway's order, keys relative to it; the
 * top-level values themselves (mode, dataDir) together in the group ''.
 */
export function groupConfig(
  entries: readonly { path: string; value: unknown; masked: boolean; origin: string | null }[],
): ConfigGroup[] {
  const groups = new Map<string, ConfigGroup>();
  for (const entry of entries) {
    const m = /^([^.[]+)(?:[.[](.*))?$/.exec(entry.path);
    const rest = m?.[2];
    const section = rest === undefined ? '' : (m?.[1] ?? '');
    const key = rest === undefined ? entry.path : entry.path.charAt(section.length) === '[' ? `[${rest}` : rest;
    let group = groups.get(section);
    if (!group) {
      group = { section, entries: [] };
      groups.set(section, group);
    }
    group.entries.push({ ...entry, key });
  }
  return [...groups.values()];
}

/** Lines of text (one IP or range a line, or separated by commas) as a list; empty → undefined. */
export function listOf(text: string): string[] | undefined {
  const items = text
    .split(/[\s,，;；]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.length === 0 ? undefined : items;
}

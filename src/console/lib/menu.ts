/**
 * The side menu by role; a staff member lands on the first entry of theirs. 结算 is also IT's
 * (it-admin holds the settlement scope, and only it may requery a settlement in needs-review).
 */
import type { StaffRole } from '../api/staff-session';

export interface MenuEntry {
  /** Router path, also the menu's index. */
  path: string;
  title: string;
  /** Any of these roles sees the entry. */
  roles: readonly StaffRole[];
}

export const MENU: readonly MenuEntry[] = [
  { path: '/desk', title: '挂号/收费窗口', roles: ['desk'] },
  { path: '/pharmacy', title: '药房', roles: ['pharmacy'] },
  { path: '/doctor', title: '医生', roles: ['doctor'] },
  { path: '/forms', title: '表单', roles: ['desk', 'doctor'] },
  { path: '/it/devices', title: '信息科 · 设备', roles: ['it-admin'] },
  { path: '/it/health', title: '信息科 · 运行状态', roles: ['it-admin'] },
  { path: '/it/outbox', title: '信息科 · 上传队列', roles: ['it-admin'] },
  { path: '/it/api-keys', title: '信息科 · 接口密钥', roles: ['it-admin'] },
  { path: '/it/staff', title: '信息科 · 人员账号', roles: ['it-admin'] },
  { path: '/it/audit', title: '审计日志', roles: ['it-admin', 'auditor'] },
  { path: '/it/config', title: '信息科 · 当前配置', roles: ['it-admin'] },
  { path: '/settlement', title: '结算', roles: ['finance', 'it-admin'] },
];

export function menuFor(roles: readonly StaffRole[]): MenuEntry[] {
  return MENU.filter((entry) => entry.roles.some((role) => roles.includes(role)));
}

/** Where a staff member lands after logging in: the first page of their menu, or null when none is built yet. */
export function homeFor(roles: readonly StaffRole[]): string | null {
  return menuFor(roles)[0]?.path ?? null;
}

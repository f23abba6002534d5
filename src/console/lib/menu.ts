/**
 * The side menu by role. Only pages that exist are listed: 结算 (finance),
 * 表单 (desk/doctor) and 医生 (doctor) join here when they are built.
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
  { path: '/it/devices', title: '信息科 · 设备', roles: ['it-admin'] },
  { path: '/it/health', title: '信息科 · 运行状态', roles: ['it-admin'] },
  { path: '/it/outbox', title: '信息科 · 上传队列', roles: ['it-admin'] },
];

export function menuFor(roles: readonly StaffRole[]): MenuEntry[] {
  return MENU.filter((entry) => entry.roles.some((role) => roles.includes(role)));
}

/** Where a staff member lands after logging in: the first page of their menu, or null when none is built yet. */
export function homeFor(roles: readonly StaffRole[]): string | null {
  return menuFor(roles)[0]?.path ?? null;
}

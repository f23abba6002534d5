import type { ErrorDetail } from '../platform';
import { MAX_ENROLMENT_TTL_MINUTES } from './agents.config';

/**
 * Checks of names, desks and lifetimes that hold whatever the way in (HTTP DTOs check the same
 * bounds, but the CLI calls the services directly). Each answers the problems it found, in Chinese.
 *
 * There is no list of desks in the configuration (a desk is whatever devices[].desk names), so any
 * desk name of 1 to 40 characters is accepted: docs/agents.md says so.
 */
export function deskProblems(desk: string | undefined, field = 'desk'): ErrorDetail[] {
  const d = desk?.trim() ?? '';
  return d.length < 1 || d.length > 40 ? [{ field, message: '工位名称应为 1 到 40 个字符' }] : [];
}

export function nameProblems(name: string | undefined, field = 'name'): ErrorDetail[] {
  if (name === undefined) {
    return [];
  }
  const n = name.trim();
  return n.length < 1 || n.length > 100 ? [{ field, message: '代理名称应为 1 到 100 个字符' }] : [];
}

export function ttlProblems(ttlMinutes: number | undefined, field = 'ttlMinutes'): ErrorDetail[] {
  if (ttlMinutes === undefined) {
    return [];
  }
  return Number.isInteger(ttlMinutes) && ttlMinutes >= 1 && ttlMinutes <= MAX_ENROLMENT_TTL_MINUTES
    ? []
    : [{ field, message: `有效期应为 1 到 ${MAX_ENROLMENT_TTL_MINUTES} 分钟的整数` }];
}

import { isCalendarDate } from './dates';
import { toCents } from './money';
import { Rejection } from './rejection';

/**
 * Readers for the untyped `input` of a message. Each one either returns a typed value or
 * throws a Rejection naming the field (by its path, e.g. `feedetail[2].cnt`), so refusals tell
 * the hospital exactly what to fix. Messages never echo the value: it may be an ID number.
 */
export type Fields = Record<string, unknown>;

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function label(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export interface StringRule {
  pattern?: RegExp;
  /** What the pattern means, for the err_msg. */
  format?: string;
  maxLength?: number;
}

export function optionalString(o: Fields, key: string, path = '', rule: StringRule = {}): string | undefined {
  const value = o[key];
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new Rejection(`字段 ${label(path, key)} 应为字符串`);
  }
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    throw new Rejection(`字段 ${label(path, key)} 超过最大长度 ${rule.maxLength}`);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    throw new Rejection(`字段 ${label(path, key)} 格式错误${rule.format ? `，应为${rule.format}` : ''}`);
  }
  return value;
}

export function requireString(o: Fields, key: string, path = '', rule: StringRule = {}): string {
  const value = optionalString(o, key, path, rule);
  if (value === undefined) {
    throw new Rejection(`缺少必填字段 ${label(path, key)}`);
  }
  return value;
}

export function requireDate(o: Fields, key: string, path = ''): string {
  const value = requireString(o, key, path, { pattern: /^\d{4}-\d{2}-\d{2}$/, format: 'yyyy-MM-dd' });
  if (!isCalendarDate(value)) {
    throw new Rejection(`字段 ${label(path, key)} 不是有效日期`);
  }
  return value;
}

export function requireNumber(o: Fields, key: string, path = '', min = 0): number {
  const value = o[key];
  if (value === undefined || value === null) {
    throw new Rejection(`缺少必填字段 ${label(path, key)}`);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Rejection(`字段 ${label(path, key)} 应为数值`);
  }
  if (value < min) {
    throw new Rejection(`字段 ${label(path, key)} 不能小于 ${min}`);
  }
  return value;
}

export function requireCount(o: Fields, key: string, path = ''): number {
  const value = requireNumber(o, key, path);
  if (!Number.isInteger(value)) {
    throw new Rejection(`字段 ${label(path, key)} 应为整数`);
  }
  return value;
}

/** A non-negative amount in yuan with at most two decimals, returned in cents. */
export function requireAmount(o: Fields, key: string, path = ''): number {
  const cents = toCents(requireNumber(o, key, path));
  if (cents === undefined) {
    throw new Rejection(`字段 ${label(path, key)} 金额最多两位小数`);
  }
  return cents;
}

export function optionalBoolean(o: Fields, key: string, path = ''): boolean | undefined {
  const value = o[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'boolean') {
    throw new Rejection(`字段 ${label(path, key)} 应为 true 或 false`);
  }
  return value;
}

export function requireBoolean(o: Fields, key: string, path = ''): boolean {
  const value = optionalBoolean(o, key, path);
  if (value === undefined) {
    throw new Rejection(`缺少必填字段 ${label(path, key)}`);
  }
  return value;
}

export function requireArray(o: Fields, key: string, path = ''): unknown[] {
  const value = o[key];
  if (value === undefined || value === null) {
    throw new Rejection(`缺少必填字段 ${label(path, key)}`);
  }
  if (!Array.isArray(value)) {
    throw new Rejection(`字段 ${label(path, key)} 应为数组`);
  }
  return value;
}

export function requireFields(value: unknown, path: string): Fields {
  if (!isFields(value)) {
    throw new Rejection(`${path} 应为对象`);
  }
  return value;
}

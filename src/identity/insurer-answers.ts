import type { InsurerRefusalReason } from './rules/evidence';

/**
 * Reading what the insurer said, for the identity service: the reason of a 1101 refusal from its
 * Chinese `err_msg` (docs/upstream-protocol.md, 1101 refusals), and stored evidence back from JSON.
 */

/** JSON with Dates revived (evidence carries `at` instants). */
export function reviveDates(_key: string, value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)
    ? new Date(value)
    : value;
}

export function refusalReason(message: string): InsurerRefusalReason {
  if (/人卡不符|不属于同一人/.test(message)) {
    return 'person-card-mismatch';
  }
  if (/姓名/.test(message)) {
    return 'name-mismatch';
  }
  if (/未查询到/.test(message)) {
    return 'unknown-person';
  }
  return 'other';
}

/**
 * What an API key (or a staff member's roles, see staff-roles.ts) may do. One scope per capability;
 * `operations` is for the staff who watch the duties with deadlines (docs/obligations.md); `admin` is
 * for IT tooling; `audit` reads the audit log and nothing else (the auditor's role).
 */
export const SCOPES = ['identity', 'trace-codes', 'forms', 'settlement', 'operations', 'admin', 'audit'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

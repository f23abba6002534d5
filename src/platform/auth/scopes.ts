/**
 * What an API key may do. One scope per capability; `operations` is for the staff who watch the
 * duties with deadlines (docs/obligations.md); `admin` is for IT tooling.
 */
export const SCOPES = ['identity', 'trace-codes', 'forms', 'settlement', 'operations', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

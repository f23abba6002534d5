import type { Scope } from '../auth/scopes';

/** What a staff member does in the hospital; each role grants scopes (the same scopes API keys hold). */
export const STAFF_ROLES = ['desk', 'pharmacy', 'doctor', 'finance', 'it-admin', 'auditor'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * The scopes of each role (the contract in docs/console.md): a route the roles do not reach answers
 * 403 as for an API key without the scope. The auditor reads the audit log and nothing else.
 */
export const ROLE_SCOPES: Readonly<Record<StaffRole, readonly Scope[]>> = {
  desk: ['identity', 'forms'],
  pharmacy: ['trace-codes'],
  doctor: ['identity', 'forms'],
  finance: ['settlement', 'operations'],
  'it-admin': ['admin', 'operations', 'identity', 'trace-codes', 'forms', 'settlement'],
  auditor: ['audit'],
};

/** Roles that work at desks, and so may follow a desk's device events. */
const DESK_ROLES: readonly StaffRole[] = ['desk', 'pharmacy', 'doctor', 'it-admin'];

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

/** The union of the roles' scopes, in the order of SCOPES' first appearance; unknown roles grant nothing. */
export function rolesToScopes(roles: readonly string[]): Scope[] {
  const scopes = new Set<Scope>();
  for (const role of roles) {
    if (isStaffRole(role)) {
      ROLE_SCOPES[role].forEach((s) => scopes.add(s));
    }
  }
  return [...scopes];
}

/**
 * Whether a staff member may follow `desk`'s events: a role that works at desks, and the desk among
 * theirs (IT may look at any desk).
 */
export function mayWatchDesk(staff: { roles: readonly string[]; desks: readonly string[] }, desk: string): boolean {
  if (!staff.roles.some((r) => isStaffRole(r) && DESK_ROLES.includes(r))) {
    return false;
  }
  return staff.roles.includes('it-admin') || staff.desks.includes(desk);
}

/**
 * The staff-session API of the gateway (docs/console.md): log in, who is logged in, change one's own
 * password, log out.
 * The cookie itself is HttpOnly: the console never sees it, only the session body.
 */
import type { ApiClient } from './client';
import type { Schemas } from './openapi.generated';

export type StaffSession = Schemas['StaffSessionDto'];
export type Staff = StaffSession['staff'];
export type StaffRole = Staff['roles'][number];

export function logIn(client: ApiClient, login: string, password: string): Promise<StaffSession> {
  return client.call('POST /api/v1/staff/session', { body: { login, password } });
}

export function currentSession(client: ApiClient): Promise<StaffSession> {
  return client.call('GET /api/v1/staff/session');
}

export function logOut(client: ApiClient): Promise<void> {
  return client.call('DELETE /api/v1/staff/session');
}

/** The new session body: the password changed, the member's other sessions ended. */
export function changePassword(client: ApiClient, currentPassword: string, newPassword: string): Promise<StaffSession> {
  return client.call('POST /api/v1/staff/session/password', { body: { currentPassword, newPassword } });
}

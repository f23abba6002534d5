/**
 * The staff-session API of the gateway (the contract of issue 16): log in, who is logged in, log out.
 * The cookie itself is HttpOnly: the console never sees it, only the session body.
 */
import type { ApiClient } from './client';

export type StaffRole = 'desk' | 'pharmacy' | 'doctor' | 'finance' | 'it-admin' | 'auditor';

export interface Staff {
  id: string;
  login: string;
  displayName: string;
  roles: StaffRole[];
  desks: string[];
}

export interface StaffSession {
  staff: Staff;
  csrfToken: string;
  expiresAt: string;
}

export const STAFF_SESSION_PATH = '/api/v1/staff/session';

export function logIn(client: ApiClient, login: string, password: string): Promise<StaffSession> {
  return client.post<StaffSession>(STAFF_SESSION_PATH, { login, password });
}

export function currentSession(client: ApiClient): Promise<StaffSession> {
  return client.get<StaffSession>(STAFF_SESSION_PATH);
}

export function logOut(client: ApiClient): Promise<void> {
  return client.delete<void>(STAFF_SESSION_PATH);
}

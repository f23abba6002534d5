/**
 * The verification-session API (docs/identity.md) as the desk page calls it with the staff cookie
 * (the desk role maps to the `identity` scope): read a session, start one for a visit, add a
 * scanned QR code, record the staff member's visual confirmation.
 */
import type { ApiClient } from './client';

export type Verdict = 'MATCH' | 'MISMATCH' | 'INCOMPLETE' | 'NOT_COVERED';

export interface SessionCheck {
  code: string;
  passed: boolean;
  message: string;
  evidence: string[];
  effect: string;
}

export interface SessionMissing {
  code: string;
  message: string;
}

/** GET /api/v1/identity/sessions/{id} (SessionDto). */
export interface IdentitySession {
  id: string;
  desk: string;
  visitId: string | null;
  visitKind: string;
  verdict: Verdict;
  offline: boolean;
  coverage: 'confirmed' | 'cached' | 'pending';
  checks: SessionCheck[];
  missing: SessionMissing[];
  sources: string[];
  token: string | null;
  tokenExpiresAt: string | null;
  updatedAt: string;
}

export type VisitKind = 'outpatient' | 'inpatient';

const SESSIONS = '/api/v1/identity/sessions';

function sessionPath(id: string): string {
  return `${SESSIONS}/${encodeURIComponent(id)}`;
}

export function getSession(client: ApiClient, id: string): Promise<IdentitySession> {
  return client.get<IdentitySession>(sessionPath(id));
}

export function startSession(
  client: ApiClient,
  input: { desk: string; visitId: string; visitKind: VisitKind },
): Promise<IdentitySession> {
  return client.post<IdentitySession>(SESSIONS, input);
}

export function addQr(client: ApiClient, id: string, text: string): Promise<IdentitySession> {
  return client.post<IdentitySession>(`${sessionPath(id)}/qr`, { text });
}

export function confirmByStaff(
  client: ApiClient,
  id: string,
  staff: { staffId: string; staffName: string },
): Promise<IdentitySession> {
  return client.post<IdentitySession>(`${sessionPath(id)}/staff-confirmation`, staff);
}

/** DoctorViewDto: POST /api/v1/identity/doctor-view {token} (the doctor role has the identity scope). */
export interface DoctorViewDto {
  name: string | null;
  sessionId: string;
  visitId: string;
  psnNo: string;
  psnType: string | null;
  injuryStatus: string;
  determinationNo: string | null;
  determinationDate: string | null;
  injuryDate: string | null;
  injuredParts: string[];
  occupationalDisease: string | null;
  disabilityGrade: number | null;
  category: string;
  coverageSource: string;
}

export function doctorView(client: ApiClient, token: string): Promise<DoctorViewDto> {
  return client.post<DoctorViewDto>('/api/v1/identity/doctor-view', { token });
}

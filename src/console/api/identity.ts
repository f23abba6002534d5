/**
 * The verification-session API (docs/identity.md) as the desk page calls it with the staff cookie
 * (the desk role maps to the `identity` scope): read a session, start one for a visit, add a
 * scanned QR code, record the staff member's visual confirmation. Types from the gateway's OpenAPI
 * document (openapi.generated.ts).
 */
import type { ApiClient } from './client';
import type { Schemas } from './openapi.generated';

/** GET /api/v1/identity/sessions/{id}. */
export type IdentitySession = Schemas['SessionDto'];
export type Verdict = IdentitySession['verdict'];
export type SessionCheck = Schemas['CheckDto'];
export type SessionMissing = Schemas['MissingDto'];
export type VisitKind = IdentitySession['visitKind'];

export function getSession(client: ApiClient, id: string): Promise<IdentitySession> {
  return client.call('GET /api/v1/identity/sessions/{id}', { path: { id } });
}

export function startSession(
  client: ApiClient,
  input: { desk: string; visitId: string; visitKind: VisitKind },
): Promise<IdentitySession> {
  return client.call('POST /api/v1/identity/sessions', { body: input });
}

export function addQr(client: ApiClient, id: string, text: string): Promise<IdentitySession> {
  return client.call('POST /api/v1/identity/sessions/{id}/qr', { path: { id }, body: { text } });
}

/** The signed-in staff member confirms the person: the gateway records them from the session, not from the page. */
export function confirmByStaff(client: ApiClient, id: string): Promise<IdentitySession> {
  return client.call('POST /api/v1/identity/sessions/{id}/staff-confirmation', { path: { id }, body: {} });
}

/** DoctorViewDto: POST /api/v1/identity/doctor-view {token} (the doctor role has the identity scope). */
/** The doctor view of a MATCH token (POST: the token in the body, so it stays out of URLs and logs). */
export type DoctorViewDto = Schemas['DoctorViewDto'];

export function doctorView(client: ApiClient, token: string): Promise<DoctorViewDto> {
  return client.call('POST /api/v1/identity/doctor-view', { body: { token } });
}

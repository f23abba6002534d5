/**
 * Staff accounts (/api/v1/staff, scope admin): list, create, reset the password, disable.
 * A generated password is in the answer of create and reset only. Types from the gateway's OpenAPI
 * document (openapi.generated.ts).
 */
import type { ApiClient } from './client';
import type { Schemas } from './openapi.generated';

export type StaffViewDto = Schemas['StaffViewDto'];
export type CreateStaffDto = Schemas['CreateStaffDto'];
export type StaffWithPasswordDto = Schemas['StaffWithPasswordDto'];

export function listStaff(client: ApiClient): Promise<StaffViewDto[]> {
  return client.call('GET /api/v1/staff');
}

export function createStaff(client: ApiClient, body: CreateStaffDto): Promise<StaffWithPasswordDto> {
  return client.call('POST /api/v1/staff', { body });
}

export function resetStaffPassword(client: ApiClient, id: string): Promise<StaffWithPasswordDto> {
  return client.call('POST /api/v1/staff/{id}/reset', { path: { id } });
}

export function disableStaff(client: ApiClient, id: string, reason: string): Promise<StaffViewDto> {
  return client.call('POST /api/v1/staff/{id}/disable', { path: { id }, body: { reason } });
}

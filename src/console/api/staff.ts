/**
 * Staff accounts (/api/v1/staff, scope admin): list, create, reset the password, disable.
 * A generated password is in the answer of create and reset only. Names mirror the OpenAPI DTOs.
 */
import type { ApiClient } from './client';
import type { StaffRole } from './staff-session';

export interface StaffViewDto {
  id: string;
  login: string;
  displayName: string;
  roles: StaffRole[];
  desks: string[];
  state: string;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  createdBy: string;
}

export interface CreateStaffDto {
  login: string;
  displayName: string;
  roles: StaffRole[];
  desks?: string[];
}

export interface StaffWithPasswordDto {
  staff: StaffViewDto;
  password: string;
}

export function listStaff(client: ApiClient): Promise<StaffViewDto[]> {
  return client.get<StaffViewDto[]>('/api/v1/staff');
}

export function createStaff(client: ApiClient, body: CreateStaffDto): Promise<StaffWithPasswordDto> {
  return client.post<StaffWithPasswordDto>('/api/v1/staff', body);
}

export function resetStaffPassword(client: ApiClient, id: string): Promise<StaffWithPasswordDto> {
  return client.post<StaffWithPasswordDto>(`/api/v1/staff/${encodeURIComponent(id)}/reset`);
}

export function disableStaff(client: ApiClient, id: string, reason: string): Promise<StaffViewDto> {
  return client.post<StaffViewDto>(`/api/v1/staff/${encodeURIComponent(id)}/disable`, { reason });
}

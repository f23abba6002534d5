/**
 * The 信息科 administration calls: API keys (/api/v1/admin/api-keys), the audit log
 * (/api/v1/admin/audit, also for the auditor role) and the effective configuration
 * (/api/v1/admin/config). Interface names mirror the OpenAPI DTOs.
 */
import type { ApiClient } from './client';

export interface ApiKeyViewDto {
  id: string;
  name: string;
  scopes: string[];
  allowIps: string[] | null;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedReason: string | null;
}

export interface CreateApiKeyDto {
  name: string;
  scopes: string[];
  allowIps?: string[];
}

/** The token is in this answer only: show it once, keep it nowhere. */
export interface CreatedApiKeyDto {
  key: ApiKeyViewDto;
  token: string;
}

export function listApiKeys(client: ApiClient, includeRevoked: boolean): Promise<ApiKeyViewDto[]> {
  return client.get<ApiKeyViewDto[]>(`/api/v1/admin/api-keys${includeRevoked ? '?includeRevoked=true' : ''}`);
}

export function createApiKey(client: ApiClient, body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
  return client.post<CreatedApiKeyDto>('/api/v1/admin/api-keys', body);
}

export function revokeApiKey(client: ApiClient, id: string, reason: string): Promise<ApiKeyViewDto> {
  return client.post<ApiKeyViewDto>(`/api/v1/admin/api-keys/${encodeURIComponent(id)}/revoke`, { reason });
}

export interface AuditEntryDto {
  id: string;
  at: string;
  actorType: string;
  actorId: string;
  action: string;
  subjectHash: string | null;
  outcome: string;
  correlationId: string | null;
  details: Record<string, unknown> | null;
}

/** GET /api/v1/admin/audit's query (AuditQueryDto); empty values are left out. */
export interface AuditQueryDto {
  action?: string;
  actorId?: string;
  actorType?: string;
  outcome?: string;
  from?: string;
  to?: string;
  before?: string;
  limit?: number;
}

export function auditQueryString(query: AuditQueryDto): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function listAudit(client: ApiClient, query: AuditQueryDto): Promise<AuditEntryDto[]> {
  return client.get<AuditEntryDto[]>(`/api/v1/admin/audit${auditQueryString(query)}`);
}

export interface ConfigEntryDto {
  path: string;
  value: unknown;
  masked: boolean;
  origin: 'default' | 'file' | 'env' | 'override' | null;
}

export interface ConfigViewDto {
  mode: string;
  sources: string[];
  config: Record<string, unknown>;
  entries: ConfigEntryDto[];
}

export function getConfig(client: ApiClient): Promise<ConfigViewDto> {
  return client.get<ConfigViewDto>('/api/v1/admin/config');
}

/**
 * The 信息科 administration calls: API keys (/api/v1/admin/api-keys), the audit log
 * (/api/v1/admin/audit, also for the auditor role) and the effective configuration
 * (/api/v1/admin/config). Types from the gateway's OpenAPI document (openapi.generated.ts).
 */
import type { ApiClient } from './client';
import type { Operations, Schemas } from './openapi.generated';

export type ApiKeyViewDto = Schemas['ApiKeyViewDto'];
export type CreateApiKeyDto = Schemas['CreateApiKeyDto'];
/** The token is in this answer only: show it once, keep it nowhere. */
export type CreatedApiKeyDto = Schemas['CreatedApiKeyDto'];
export type AuditEntryDto = Schemas['AuditEntryDto'];
/** GET /api/v1/admin/audit's query; empty values are left out. */
export type AuditQueryDto = NonNullable<Operations['GET /api/v1/admin/audit']['query']>;
export type ConfigEntryDto = Schemas['ConfigEntryDto'];
export type ConfigViewDto = Schemas['ConfigViewDto'];

export function listApiKeys(client: ApiClient, includeRevoked: boolean): Promise<ApiKeyViewDto[]> {
  return client.call('GET /api/v1/admin/api-keys', { query: { includeRevoked: includeRevoked ? 'true' : undefined } });
}

export function createApiKey(client: ApiClient, body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
  return client.call('POST /api/v1/admin/api-keys', { body });
}

export function revokeApiKey(client: ApiClient, id: string, reason: string): Promise<ApiKeyViewDto> {
  return client.call('POST /api/v1/admin/api-keys/{id}/revoke', { path: { id }, body: { reason } });
}

export function listAudit(client: ApiClient, query: AuditQueryDto): Promise<AuditEntryDto[]> {
  return client.call('GET /api/v1/admin/audit', { query });
}

export function getConfig(client: ApiClient): Promise<ConfigViewDto> {
  return client.call('GET /api/v1/admin/config');
}

import { AuditEntry } from './audit/audit-entry.entity';
import { ApiKey } from './auth/api-key.entity';
import { Foundation1764028800000 } from './database/migrations/1764028800000-Foundation';
import type { GatewayFeature } from './gateway-feature';
import { PLATFORM_ERRORS } from './platform.errors';

/** The platform's own tables (API keys, audit log) and errors; its config sections are GatewayConfig's own. */
export const PLATFORM_FEATURE: GatewayFeature = {
  name: 'platform',
  entities: [ApiKey, AuditEntry],
  migrations: [Foundation1764028800000],
  errors: [PLATFORM_ERRORS],
};

import { AuditEntry } from './audit/audit-entry.entity';
import { ApiKey } from './auth/api-key.entity';
import { Foundation1764028800000 } from './database/migrations/1764028800000-Foundation';
import { Staff1765843200000 } from './database/migrations/1765843200000-Staff';
import { Cluster1766016000000 } from './database/migrations/1766016000000-Cluster';
import { AuditChain1766131200000 } from './database/migrations/1766131200000-AuditChain';
import { PiiReencryption1766160000000 } from './database/migrations/1766160000000-PiiReencryption';
import { ApiKeyExpiry1766246400000 } from './database/migrations/1766246400000-ApiKeyExpiry';
import { StaffPasswordAge1766419200000 } from './database/migrations/1766419200000-StaffPasswordAge';
import { STAFF_ENTITIES } from './staff/staff.entity';
import type { GatewayFeature } from './gateway-feature';
import { PLATFORM_ERRORS } from './platform.errors';

/** The platform's own tables (API keys, audit log and its checkpoints, staff accounts and sessions) and errors; its config sections are GatewayConfig's own. */
export const PLATFORM_FEATURE: GatewayFeature = {
  name: 'platform',
  entities: [ApiKey, AuditEntry, ...STAFF_ENTITIES],
  migrations: [
    Foundation1764028800000,
    Staff1765843200000,
    Cluster1766016000000,
    AuditChain1766131200000,
    PiiReencryption1766160000000,
    ApiKeyExpiry1766246400000,
    StaffPasswordAge1766419200000,
  ],
  errors: [PLATFORM_ERRORS],
};

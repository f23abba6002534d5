import { ApiKey } from '../auth/api-key.entity';
import { AuditEntry } from '../audit/audit-entry.entity';

/** Every entity of the gateway; capability modules add theirs here. */
export const ENTITIES = [ApiKey, AuditEntry];

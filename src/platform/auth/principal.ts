import type { Scope } from './scopes';
import type { ActorType } from '../audit/audit-entry.entity';

/** Who is calling. Attached to the request by the guard; used for audit records. */
export interface Principal {
  type: ActorType;
  id: string;
  name: string;
  scopes: readonly Scope[];
}

export const SYSTEM_PRINCIPAL: Principal = { type: 'system', id: 'gateway', name: 'gateway', scopes: [] };

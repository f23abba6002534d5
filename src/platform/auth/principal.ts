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

/**
 * The gateway itself acting (a background job, a device event, the dispatcher): audit entries name
 * which part of it by `id` (e.g. 'forms.retention', `device:${deviceId}`).
 */
export function systemPrincipal(id: string, name: string = id): Principal {
  return { type: 'system', id, name, scopes: [] };
}

import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';

/** The caller the guard authenticated; only valid behind @RequireScopes(). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) {
    throw new Error('principalOf() used on a route without @RequireScopes()');
  }
  return request.principal;
}

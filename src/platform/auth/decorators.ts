import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from '../errors/error-body';
import type { Scope } from './scopes';

export const PUBLIC_KEY = 'gw:public';
export const SCOPES_KEY = 'gw:scopes';

/** No API key needed (health, metrics). */
export const Public = (): ReturnType<typeof SetMetadata> => SetMetadata(PUBLIC_KEY, true);

/**
 * The handler needs an API key; with scopes, the key must hold at least one of them.
 * Every non-public handler must say this: the guard refuses handlers that say nothing.
 */
export function RequireScopes(...scopes: Scope[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(SCOPES_KEY, scopes),
    ApiBearerAuth('apiKey'),
    ApiUnauthorizedResponse({ description: 'Missing, unknown or revoked API key', type: ErrorBodyDto }),
    ApiForbiddenResponse({
      description: scopes.length
        ? `The key lacks scope ${scopes.join(' or ')}, or the client IP is not allowed`
        : 'The client IP is not allowed',
      type: ErrorBodyDto,
    }),
  );
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiKeyService } from './api-key.service';
import { PUBLIC_KEY, SCOPES_KEY } from './decorators';
import type { Principal } from './principal';
import type { Scope } from './scopes';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Global guard: every handler is either @Public() or declares @RequireScopes(...). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      return true;
    }
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets);
    if (!scopes) {
      // A programming error: fail closed rather than serve an endpoint nobody protected.
      throw new Error(
        `${context.getClass().name}.${context.getHandler().name} declares neither @Public() nor @RequireScopes()`,
      );
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.principal = await this.apiKeys.authenticate(request.headers.authorization, request.ip, scopes);
    return true;
  }
}

import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from '../errors/domain-error';
import { CSRF_HEADER, staffCookieOf } from '../staff/staff-cookie';
import { staffPrincipal, type StaffContext, StaffSessionService } from '../staff/staff-session.service';
import { ApiKeyService } from './api-key.service';
import { ClientCertificateCheck } from './client-certificates';
import { PUBLIC_KEY, SCOPES_KEY } from './decorators';
import type { Principal } from './principal';
import type { Scope } from './scopes';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** Set when the caller is a staff member signed in with the session cookie (roles, desks). */
    staff?: StaffContext;
  }
}

/**
 * Global guard: every handler is either @Public() or declares @RequireScopes(...). A request with
 * `Authorization` is an API key's (HIS, tools); one without it but with the `gw_staff` cookie is a
 * staff member's (the console), whose roles give the scopes and whose unsafe requests must carry the
 * CSRF token. Either way a missing scope is the same 403.
 */
@Injectable()
export class GatewayAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
    private readonly staffSessions: StaffSessionService,
    private readonly clientCertificates: ClientCertificateCheck,
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
    const cookie = request.headers.authorization ? undefined : staffCookieOf(request.headers.cookie);
    if (cookie === undefined) {
      const principal = await this.apiKeys.authenticate(request.headers.authorization, request.ip, scopes);
      // Mutual TLS: the connection's client certificate must be one this key is bound to (server.tls).
      this.clientCertificates.check(principal.id, request.raw.socket);
      request.principal = principal;
      return true;
    }
    const staff = await this.staffSessions.authenticate(cookie, request.method, request.headers[CSRF_HEADER]);
    const principal = staffPrincipal(staff);
    if (scopes.length > 0 && !scopes.some((s) => principal.scopes.includes(s))) {
      throw new ForbiddenError('AUTH_SCOPE_MISSING', `您的角色没有使用此功能的权限（需要 ${scopes.join(' 或 ')}）`);
    }
    request.staff = staff;
    request.principal = principal;
    return true;
  }
}

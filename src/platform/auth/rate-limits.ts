import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { GatewayConfig, RateLimitConfig } from '../config/gateway-config';
import { MetricsService } from '../metrics/metrics.service';
import { PLATFORM_ERRORS } from '../platform.errors';
import { staffCookieOf } from '../staff/staff-cookie';
import { parseToken } from './api-key-token';
import { rateLimitCounter } from './bad-key-throttle';
import { buildAllowList, normalizeIp } from './ip-allow-list';
import { WindowCounter } from './request-limits';

/** Who a request counts against besides its address: an API key's token or a staff session's cookie. */
export interface RequestBucket {
  /** The counter's key: a hash of the whole credential, so a forged token naming another key's id
   * (ids are not secret) counts against a bucket of its own, never against the real key's. */
  key: string;
  /** For logs: the key id, or "session". */
  label: string;
}

export function bucketOf(
  authorization: string | undefined,
  cookieHeader: string | string[] | undefined,
): RequestBucket | undefined {
  if (authorization) {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    const parsed = token ? parseToken(token) : undefined;
    return {
      key: `k:${createHash('sha256').update(authorization).digest('base64url').slice(0, 22)}`,
      label: parsed ? `api-key ${parsed.id}` : 'malformed key',
    };
  }
  const cookie = staffCookieOf(cookieHeader);
  if (cookie) {
    return { key: `s:${createHash('sha256').update(cookie).digest('base64url').slice(0, 22)}`, label: 'staff session' };
  }
  return undefined;
}

export type LimitVerdict =
  | { allowed: true }
  | {
      allowed: false;
      reason: 'key' | 'address' | 'route';
      retryAfterSeconds: number;
      firstRefusal: boolean;
      label: string;
      /** The limit that was reached, per window. */
      limit: number;
    };

/**
 * The request limits of one gateway instance: per client address and per API key (or staff session),
 * in fixed windows of `windowSeconds`, exempt addresses aside, and per key and route for the
 * routes of `routes`. Framework-free; registerRateLimits()
 * puts it in front of every route.
 */
export class RequestLimiter {
  private readonly counter: WindowCounter;
  private readonly exempt: ReturnType<typeof buildAllowList> | undefined;
  private readonly routes: Map<string, number>;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.counter = new WindowCounter(config.windowSeconds * 1000);
    this.exempt = config.exemptAddresses.length > 0 ? buildAllowList(config.exemptAddresses) : undefined;
    this.routes = new Map(config.routes.map((r) => [r.route, r.perKey]));
  }

  /** `route` is `<METHOD> <route pattern>` (for the per-route limits of `routes`). */
  check(ip: string, bucket: RequestBucket | undefined, route?: string): LimitVerdict {
    const address = normalizeIp(ip);
    if (this.isExempt(address)) {
      return { allowed: true };
    }
    const now = this.now();
    const byAddress = this.counter.hit(`a:${address}`, this.config.perAddress, now);
    if (!byAddress.allowed) {
      const first = byAddress.count === this.config.perAddress + 1;
      return this.refused('address', byAddress.retryAfterMs, first, address, this.config.perAddress);
    }
    if (bucket) {
      const byKey = this.counter.hit(bucket.key, this.config.perKey, now);
      if (!byKey.allowed) {
        const first = byKey.count === this.config.perKey + 1;
        return this.refused('key', byKey.retryAfterMs, first, bucket.label, this.config.perKey);
      }
    }
    const perRoute = route === undefined ? undefined : this.routes.get(route);
    if (perRoute !== undefined) {
      const byRoute = this.counter.hit(`${bucket?.key ?? `a:${address}`} ${route}`, perRoute, now);
      if (!byRoute.allowed) {
        const label = `${bucket?.label ?? address} on ${route}`;
        return this.refused('route', byRoute.retryAfterMs, byRoute.count === perRoute + 1, label, perRoute);
      }
    }
    return { allowed: true };
  }

  private isExempt(address: string): boolean {
    const family = isIP(address);
    return this.exempt !== undefined && family !== 0 && this.exempt.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  private refused(
    reason: 'key' | 'address' | 'route',
    retryAfterMs: number,
    firstRefusal: boolean,
    label: string,
    limit: number,
  ): LimitVerdict {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return { allowed: false, reason, retryAfterSeconds, firstRefusal, label, limit };
  }
}

/** How the Chinese message names the limit that was reached. */
const WHO = { key: '每个密钥', address: '每个地址', route: '此接口每个密钥' } as const;

/**
 * Puts the request limits (`server.rateLimit`, docs/security.md) in front of every route: a request
 * over its address's or its key's limit is answered 429 RATE_LIMITED with `Retry-After`, before any
 * authentication or database work. Refusals are counted in gateway_requests_limited_total{reason};
 * one log line per key or address and window (the first refusal), not one per refused request.
 */
export function registerRateLimits(app: NestFastifyApplication, config: GatewayConfig): void {
  const settings = config.server.rateLimit;
  if (!settings.enabled) {
    return;
  }
  const limiter = new RequestLimiter(settings);
  const refusals = rateLimitCounter(app.get(MetricsService));
  const logger = new Logger('RateLimits');
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      const route =
        request.routeOptions.url === undefined ? undefined : `${request.method} ${request.routeOptions.url}`;
      const verdict = limiter.check(request.ip, bucketOf(request.headers.authorization, request.headers.cookie), route);
      if (verdict.allowed) {
        return;
      }
      refusals.inc({ reason: verdict.reason });
      if (verdict.firstRefusal) {
        logger.warn(
          {
            reason: verdict.reason,
            who: verdict.label,
            address: normalizeIp(request.ip),
            limit: verdict.limit,
            windowSeconds: settings.windowSeconds,
            retryAfterSeconds: verdict.retryAfterSeconds,
          },
          'request limit reached: further requests are answered 429 until the window ends',
        );
      }
      const error = PLATFORM_ERRORS.raise('RATE_LIMITED');
      await reply
        .status(429)
        .header('retry-after', String(verdict.retryAfterSeconds))
        .header('content-type', 'application/json; charset=utf-8')
        .send({
          code: error.code,
          message: `请求过于频繁，已超过网关的访问频率限制（${WHO[verdict.reason]}每 ${settings.windowSeconds} 秒 ${verdict.limit} 次）：请 ${verdict.retryAfterSeconds} 秒后重试`,
          correlationId: String(request.id),
        });
      return reply;
    });
}

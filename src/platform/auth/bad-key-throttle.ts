import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Counter } from 'prom-client';
import { AuditService } from '../audit/audit.service';
import { GatewayConfig } from '../config/gateway-config';
import { MetricsService } from '../metrics/metrics.service';
import { RetryLaterError } from '../errors/error-catalogue';
import { PLATFORM_ERRORS } from '../platform.errors';
import { FailureBackoff } from './request-limits';
import { normalizeIp } from './ip-allow-list';

export const BAD_KEY_NOW = Symbol('BAD_KEY_NOW');

/**
 * Invalid API keys per client address (AUTH_INVALID: a malformed token, an unknown key id, a wrong
 * secret). Below `server.rateLimit.badKeys.threshold` failures in the window nothing changes; from
 * then on the address's unproven attempts are refused with 429 AUTH_TOO_MANY_FAILURES for a pause
 * that doubles with every further bad key, up to `maxDelaySeconds`.
 *
 * Good keys from the same address keep working (ApiKeyService asks `blockedFor` only for keys it
 * could not prove from its cache): a hospital LAN behind NAT shows the gateway one address, and one
 * desk with a stale key must not stop the whole department. A blocked address costs the gateway no
 * database read per attempt.
 *
 * Audited as `auth.bad-key` when an address reaches the threshold, then at most once per window while
 * it goes on (with the count since the last entry), not once per request; the same for the log line.
 * Counted per instance, in memory (docs/security.md).
 */
@Injectable()
export class BadKeyThrottle {
  private readonly logger = new Logger('BadKeys');
  private readonly backoff: FailureBackoff;
  private readonly now: () => number;
  /** Per address: when it was last audited and the failures since then. */
  private readonly reported = new Map<string, { at: number; unreported: number }>();
  private readonly refusals: Counter<'reason'> | undefined;

  constructor(
    config: GatewayConfig,
    private readonly audit: AuditService,
    @Optional() metrics?: MetricsService,
    @Optional() @Inject(BAD_KEY_NOW) now?: () => number,
  ) {
    const bad = config.server.rateLimit.badKeys;
    this.backoff = new FailureBackoff({
      threshold: bad.threshold,
      windowMs: bad.windowMinutes * 60_000,
      baseDelayMs: bad.baseDelaySeconds * 1000,
      maxDelayMs: bad.maxDelaySeconds * 1000,
    });
    this.now = now ?? (() => performance.now());
    this.refusals = metrics ? rateLimitCounter(metrics) : undefined;
  }

  /** The error for an unproven attempt from `ip` while it is slowed down, or undefined. */
  refusal(ip: string): Error | undefined {
    const waitMs = this.backoff.blockedFor(normalizeIp(ip), this.now());
    if (waitMs === 0) {
      return undefined;
    }
    this.refusals?.inc({ reason: 'bad-keys' });
    const seconds = Math.ceil(waitMs / 1000);
    return new RetryLaterError(
      PLATFORM_ERRORS.raise('AUTH_TOO_MANY_FAILURES', {
        message: `此地址近期使用无效 API 密钥的次数过多，已暂缓处理：请 ${seconds} 秒后重试，并请信息科核对 HIS 中配置的密钥`,
      }),
      seconds,
    );
  }

  /** Counts an invalid key from `ip` (audits and logs the address when it crosses the threshold, then sparingly). */
  failed(ip: string, keyId: string | undefined): void {
    const address = normalizeIp(ip);
    const now = this.now();
    const state = this.backoff.fail(address, now);
    const policy = this.backoff.policy;
    if (state.count < policy.threshold) {
      return;
    }
    const last = this.reported.get(address);
    if (last && now - last.at < policy.windowMs) {
      last.unreported++;
      return;
    }
    const failures = last ? last.unreported + 1 : state.count;
    this.reported.set(address, { at: now, unreported: 0 });
    this.sweepReported(now);
    const waitSeconds = Math.ceil((state.blockedUntil - now) / 1000);
    this.logger.warn(
      { address, failures, lastKeyId: keyId ?? null, waitSeconds },
      'invalid API keys from one address: its unproven attempts are slowed down',
    );
    this.audit
      .record({
        actor: { type: 'system', id: 'auth' },
        action: 'auth.bad-key',
        outcome: 'denied',
        details: {
          address,
          failures,
          windowMinutes: policy.windowMs / 60_000,
          lastKeyId: keyId ?? null,
          waitSeconds,
        },
      })
      .catch((err: unknown) => this.logger.warn({ err, address }, 'could not audit bad API keys'));
  }

  private sweepReported(now: number): void {
    if (this.reported.size < 1000) {
      return;
    }
    for (const [address, r] of this.reported) {
      if (now - r.at >= this.backoff.policy.windowMs) {
        this.reported.delete(address);
      }
    }
  }
}

const COUNTERS = new WeakMap<MetricsService, Counter<'reason'>>();

/** `gateway_requests_limited_total{reason}`: requests refused with 429 (per-key, per-address, bad-keys). */
export function rateLimitCounter(metrics: MetricsService): Counter<'reason'> {
  let counter = COUNTERS.get(metrics);
  if (!counter) {
    counter = new Counter({
      name: 'gateway_requests_limited_total',
      help: 'Requests refused with 429, by reason: key (per API key or session), address, route, bad-keys',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
    COUNTERS.set(metrics, counter);
  }
  return counter;
}

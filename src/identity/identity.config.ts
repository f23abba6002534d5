import { IsInt, Max, Min } from 'class-validator';

/** `identity:` — person–card–code verification. */
export class IdentityConfig {
  /** While the insurer is unreachable, a cached 1101 answer this young (ms) may stand in for it. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(0, { message: 'expected 0 (never use the cache) or more milliseconds' })
  maxCoverageCacheAgeMs: number;

  /** How long a verification token stays valid (ms); at most 24 h. */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(1000, { message: 'expected at least 1000 ms' })
  @Max(86_400_000, { message: 'expected at most 86400000 ms (24 h)' })
  tokenTtlMs: number;

  /** How long a verification session stays open for new evidence (ms). */
  @IsInt({ message: 'expected a whole number of milliseconds' })
  @Min(1000, { message: 'expected at least 1000 ms' })
  sessionTtlMs: number;
}

declare module '../platform/config/gateway-config' {
  interface GatewayConfig {
    identity: IdentityConfig;
  }
}

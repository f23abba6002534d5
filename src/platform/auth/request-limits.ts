/**
 * The counting behind the request limits and the bad-key slow-down (rate-limits.ts, bad-key-throttle.ts),
 * free of HTTP and Nest so that it can be tested on its own with a hand-driven clock. Times are
 * monotonic milliseconds (performance.now in production).
 */

export interface WindowVerdict {
  allowed: boolean;
  /** Requests counted in the current window, this one included. */
  count: number;
  /** When refused: milliseconds until the window ends and requests are taken again. */
  retryAfterMs: number;
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * A fixed-window counter per key (an API key id, a session, an address): at most `limit` requests per
 * `windowMs`; the window starts with a key's first request. Memory is bounded: finished windows are
 * dropped on a sweep, and past `maxKeys` live keys the oldest window is dropped first (its key simply
 * starts counting again — a flood of made-up keys cannot exhaust memory, and the per-address limit
 * still counts those requests).
 */
export class WindowCounter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(
    readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  hit(key: string, limit: number, now: number): WindowVerdict {
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) {
          this.windows.delete(oldest);
        }
      }
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window); // insertion order = start order, so the first key is the oldest
    }
    window.count++;
    if (window.count <= limit) {
      return { allowed: true, count: window.count, retryAfterMs: 0 };
    }
    return { allowed: false, count: window.count, retryAfterMs: window.startedAt + this.windowMs - now };
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) {
      return;
    }
    this.lastSweep = now;
    for (const [key, window] of this.windows) {
      if (now - window.startedAt < this.windowMs) {
        break; // the rest started later
      }
      this.windows.delete(key);
    }
  }
}

export interface BackoffPolicy {
  /** Bad keys from one address within `windowMs` before it is slowed down. */
  threshold: number;
  /** Failures older than this are forgotten; also how long an address stays known after its last failure. */
  windowMs: number;
  /** The first pause once the threshold is reached; each further failure doubles it… */
  baseDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
}

export interface AddressFailures {
  /** Failures counted in the current window. */
  count: number;
  /** Until when (monotonic ms) the address is slowed; 0 = not slowed. */
  blockedUntil: number;
}

interface FailureState extends AddressFailures {
  windowStartedAt: number;
  lastFailureAt: number;
}

/**
 * Bad keys per address with exponential back-off: below `threshold` failures in a window nothing
 * happens; the threshold-th failure blocks the address for `baseDelayMs`, each further one for twice
 * the last pause, capped at `maxDelayMs`. A failure while blocked counts too (a client that ignores
 * Retry-After only waits longer). The window restarts after `windowMs` without a failure.
 */
export class FailureBackoff {
  private readonly addresses = new Map<string, FailureState>();

  constructor(
    readonly policy: BackoffPolicy,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Counts one failure from `address` and answers its state after it. */
  fail(address: string, now: number): AddressFailures {
    let state = this.addresses.get(address);
    if (!state || now - state.lastFailureAt >= this.policy.windowMs) {
      this.addresses.delete(address);
      if (this.addresses.size >= this.maxAddresses) {
        this.evict(now);
      }
      state = { count: 0, blockedUntil: 0, windowStartedAt: now, lastFailureAt: now };
    } else {
      this.addresses.delete(address); // re-inserted below: the map stays ordered by last failure
    }
    state.count++;
    state.lastFailureAt = now;
    if (state.count >= this.policy.threshold) {
      state.blockedUntil = now + this.delayFor(state.count);
    }
    this.addresses.set(address, state);
    return { count: state.count, blockedUntil: state.blockedUntil };
  }

  /** Milliseconds `address` must still wait; 0 when it is not slowed. */
  blockedFor(address: string, now: number): number {
    const state = this.addresses.get(address);
    return state && state.blockedUntil > now ? state.blockedUntil - now : 0;
  }

  /** The pause after the `count`-th failure in a window. */
  delayFor(count: number): number {
    if (count < this.policy.threshold) {
      return 0;
    }
    const doublings = Math.min(count - this.policy.threshold, 30);
    return Math.min(this.policy.baseDelayMs * 2 ** doublings, this.policy.maxDelayMs);
  }

  get size(): number {
    return this.addresses.size;
  }

  private evict(now: number): void {
    for (const [address, state] of this.addresses) {
      if (now - state.lastFailureAt >= this.policy.windowMs || this.addresses.size >= this.maxAddresses) {
        this.addresses.delete(address);
      } else {
        break;
      }
    }
  }
}

/** `90d`, `12h`, `30m` → milliseconds; undefined when the text is not one of these. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([dhm])\s*$/i.exec(text);
  if (!match) {
    return undefined;
  }
  const n = Number(match[1]);
  const unit = match[2].toLowerCase();
  return n * (unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : 60_000);
}

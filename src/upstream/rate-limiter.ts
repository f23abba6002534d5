/**
 * A token bucket: at most `perSecond` sends per second on average, bursts up to one second's
 * worth. Keeps a backlog that drains after an outage from turning into a storm at the insurer.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = perSecond;
    this.last = this.now();
  }

  /** Takes up to `wanted` tokens; returns how many were granted. */
  take(wanted: number): number {
    const t = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    const granted = Math.max(0, Math.min(wanted, Math.floor(this.tokens)));
    this.tokens -= granted;
    return granted;
  }

  /** Returns tokens taken but not used. */
  giveBack(n: number): void {
    this.tokens = Math.min(this.perSecond, this.tokens + Math.max(0, n));
  }

  /** Milliseconds until one more token is available. */
  waitMs(): number {
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}

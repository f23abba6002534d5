import { performance } from 'node:perf_hooks';

/**
 * A health probe's answer, reused for `maxAgeMs` and shared by every caller meanwhile (also by
 * callers arriving while the probe is still under way), so a load balancer or monitoring polling
 * /health many times a second costs the probed system one question per `maxAgeMs`. A failure is
 * shared the same way and asked again after `maxAgeMs`: an outage shows on /health at most
 * `maxAgeMs` (plus the probe's own time) after it starts, and recovery as quickly.
 */
export class ProbeCache<T> {
  private last: { startedAt: number; answer: Promise<T> } | undefined;

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(probe: () => Promise<T>): Promise<T> {
    const now = this.now();
    if (this.last && now - this.last.startedAt < this.maxAgeMs) {
      return this.last.answer;
    }
    const answer = probe();
    answer.catch(() => undefined); // the callers get the rejection; none must be left unhandled
    this.last = { startedAt: now, answer };
    return answer;
  }
}

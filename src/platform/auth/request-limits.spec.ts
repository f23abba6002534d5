import { FailureBackoff, parseDuration, WindowCounter } from './request-limits';

describe('WindowCounter', () => {
  it('takes `limit` requests per window, refuses the next with the time left, and starts again after the window', () => {
    const c = new WindowCounter(60_000);
    for (let i = 1; i <= 3; i++) {
      expect(c.hit('k', 3, 1000 + i)).toEqual({ allowed: true, count: i, retryAfterMs: 0 });
    }
    expect(c.hit('k', 3, 21_000)).toEqual({ allowed: false, count: 4, retryAfterMs: 40_001 });
    // Another key has its own window.
    expect(c.hit('other', 3, 21_000).allowed).toBe(true);
    expect(c.hit('k', 3, 61_001).allowed).toBe(true);
    expect(c.hit('k', 3, 61_001).count).toBe(2);
  });

  it('forgets finished windows and keeps at most maxKeys live ones (oldest dropped first)', () => {
    const c = new WindowCounter(1000, 3);
    c.hit('a', 1, 0);
    c.hit('b', 1, 10);
    c.hit('c', 1, 20);
    c.hit('d', 1, 30);
    expect(c.size).toBe(3);
    expect(c.hit('a', 1, 40).allowed).toBe(true); // a's window was dropped: it counts afresh
    expect(c.hit('d', 1, 40).allowed).toBe(false);
    c.hit('e', 1, 5000);
    expect(c.size).toBe(1);
  });
});

describe('FailureBackoff', () => {
  const policy = { threshold: 3, windowMs: 600_000, baseDelayMs: 1000, maxDelayMs: 8000 };

  it('lets failures below the threshold pass, then doubles the pause with each failure up to the cap', () => {
    const b = new FailureBackoff(policy);
    expect(b.fail('10.0.0.9', 0).blockedUntil).toBe(0);
    expect(b.fail('10.0.0.9', 0).blockedUntil).toBe(0);
    expect(b.blockedFor('10.0.0.9', 0)).toBe(0);
    expect(b.fail('10.0.0.9', 100)).toEqual({ count: 3, blockedUntil: 1100 });
    expect(b.blockedFor('10.0.0.9', 600)).toBe(500);
    expect(b.blockedFor('10.0.0.10', 600)).toBe(0); // another address is not touched
    expect(b.fail('10.0.0.9', 2000).blockedUntil).toBe(4000);
    expect(b.fail('10.0.0.9', 5000).blockedUntil).toBe(9000);
    expect(b.fail('10.0.0.9', 10_000).blockedUntil).toBe(18_000);
    expect(b.fail('10.0.0.9', 20_000).blockedUntil).toBe(28_000); // capped at 8 s
    expect([1, 2, 3, 4, 5, 6, 40].map((n) => b.delayFor(n))).toEqual([0, 0, 1000, 2000, 4000, 8000, 8000]);
  });

  it('starts the count again after a window without failures', () => {
    const b = new FailureBackoff(policy);
    for (let i = 0; i < 4; i++) {
      b.fail('10.0.0.9', i);
    }
    expect(b.blockedFor('10.0.0.9', 10)).toBeGreaterThan(0);
    expect(b.fail('10.0.0.9', 700_000)).toEqual({ count: 1, blockedUntil: 0 });
  });

  it('keeps at most maxAddresses, dropping the least recently failed', () => {
    const b = new FailureBackoff(policy, 2);
    b.fail('a', 0);
    b.fail('b', 1);
    b.fail('a', 2);
    b.fail('c', 3);
    expect(b.size).toBe(2);
    expect(b.fail('a', 4).count).toBe(3); // kept: it failed more recently than b
    expect(b.fail('b', 5).count).toBe(1);
  });
});

describe('parseDuration', () => {
  it('reads days, hours and minutes, and nothing else', () => {
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration(' 30m ')).toBe(30 * 60_000);
    expect(parseDuration('90')).toBeUndefined();
    expect(parseDuration('1w')).toBeUndefined();
    expect(parseDuration('-1d')).toBeUndefined();
  });
});

import type { RateLimitConfig } from '../config/gateway-config';
import { newSessionSecret } from '../staff/staff-cookie';
import { newToken } from './api-key-token';
import { bucketOf, RequestLimiter } from './rate-limits';

const settings = (over: Partial<RateLimitConfig> = {}): RateLimitConfig => ({
  enabled: true,
  windowSeconds: 60,
  perKey: 3,
  perAddress: 5,
  exemptAddresses: [],
  routes: [],
  badKeys: { threshold: 20, windowMinutes: 10, baseDelaySeconds: 1, maxDelaySeconds: 300 },
  ...over,
});

describe('RequestLimiter', () => {
  let now = 0;
  const clock = () => now;
  const bearer = (token: string) => bucketOf(`Bearer ${token}`, undefined);

  beforeEach(() => (now = 0));

  it('refuses a key over its limit with the seconds to wait, while another key from the same address goes on', () => {
    const limiter = new RequestLimiter(settings({ perAddress: 100 }), clock);
    const a = newToken();
    const b = newToken();
    for (let i = 0; i < 3; i++) {
      expect(limiter.check('10.0.0.1', bearer(a.token)).allowed).toBe(true);
    }
    now = 15_000;
    expect(limiter.check('10.0.0.1', bearer(a.token))).toEqual({
      allowed: false,
      reason: 'key',
      retryAfterSeconds: 45,
      firstRefusal: true,
      label: `api-key ${a.id}`,
      limit: 3,
    });
    expect(limiter.check('10.0.0.1', bearer(a.token))).toMatchObject({ allowed: false, firstRefusal: false });
    expect(limiter.check('10.0.0.1', bearer(b.token)).allowed).toBe(true);
    now = 60_000;
    expect(limiter.check('10.0.0.1', bearer(a.token)).allowed).toBe(true);
  });

  it('counts a forged token that names a real key id apart from that key', () => {
    const limiter = new RequestLimiter(settings({ perAddress: 100 }), clock);
    const real = newToken();
    const forged = `gwk_${real.id}_${newToken().secret}`;
    for (let i = 0; i < 10; i++) {
      limiter.check('10.0.0.66', bearer(forged));
    }
    expect(limiter.check('10.0.0.1', bearer(real.token)).allowed).toBe(true);
  });

  it('limits an address whatever the keys, staff sessions per session, and never an exempt address', () => {
    const limiter = new RequestLimiter(settings({ exemptAddresses: ['10.9.0.0/16'] }), clock);
    for (let i = 0; i < 5; i++) {
      expect(limiter.check('::ffff:10.0.0.2', bearer(newToken().token)).allowed).toBe(true);
    }
    expect(limiter.check('10.0.0.2', undefined)).toMatchObject({
      allowed: false,
      reason: 'address',
      label: '10.0.0.2',
    });

    const session = bucketOf(undefined, `gw_staff=${newSessionSecret().cookieValue}`);
    expect(session?.label).toBe('staff session');
    for (let i = 0; i < 3; i++) {
      expect(limiter.check('10.0.0.3', session).allowed).toBe(true);
    }
    expect(limiter.check('10.0.0.3', session)).toMatchObject({ allowed: false, reason: 'key' });

    for (let i = 0; i < 50; i++) {
      expect(limiter.check('10.9.1.1', bearer(newToken().token)).allowed).toBe(true);
    }
  });

  it('holds a key to a tighter limit on a route of `routes`, on top of its own, apart from its other routes', () => {
    const route = 'POST /api/v1/forms/preview';
    const limiter = new RequestLimiter(
      settings({ perKey: 100, perAddress: 100, routes: [{ route, perKey: 2 }] }),
      clock,
    );
    const a = bearer(newToken().token);
    expect(limiter.check('10.0.0.5', a, route).allowed).toBe(true);
    expect(limiter.check('10.0.0.5', a, route).allowed).toBe(true);
    expect(limiter.check('10.0.0.5', a, route)).toMatchObject({ allowed: false, reason: 'route', limit: 2 });
    expect(limiter.check('10.0.0.5', a, 'GET /api/v1/forms').allowed).toBe(true);
    expect(limiter.check('10.0.0.5', bearer(newToken().token), route).allowed).toBe(true);
    // Without a key the address is the bucket.
    expect(limiter.check('10.0.0.6', undefined, route).allowed).toBe(true);
    expect(limiter.check('10.0.0.6', undefined, route).allowed).toBe(true);
    expect(limiter.check('10.0.0.6', undefined, route)).toMatchObject({
      allowed: false,
      label: `10.0.0.6 on ${route}`,
    });
  });
});

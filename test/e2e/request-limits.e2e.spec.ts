import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditEntry } from '../../src/platform/audit/audit-entry.entity';
import { newToken } from '../../src/platform/auth/api-key-token';
import { ApiKeyService } from '../../src/platform/auth/api-key.service';
import { eventually } from '../support/eventually';
import { startTestApp, TestApp } from '../support/e2e-app';
import { PinnedClock } from '../support/pinned-clock';

/**
 * Request limits, the bad-key slow-down and key expiry through the real app. Limits are set low here
 * (the defaults are far above what a test sends); the proxy is trusted so that `x-forwarded-for`
 * gives each case an address of its own.
 */
describe('request limits, bad keys and key expiry', () => {
  let t: TestApp;
  const clock = new PinnedClock(new Date('2026-12-04T02:00:00Z'));
  const get = (path: string, from: string, token?: string) => {
    const r = request(t.app.getHttpServer()).get(path).set('x-forwarded-for', from);
    return token ? r.set('authorization', `Bearer ${token}`) : r;
  };

  beforeAll(async () => {
    t = await startTestApp(
      {
        logging: { level: 'warn' },
        server: {
          trustProxy: true,
          rateLimit: {
            perKey: 8,
            perAddress: 20,
            exemptAddresses: ['10.9.0.0/16'],
            routes: [{ route: 'POST /api/v1/admin/api-keys/:id/revoke', perKey: 2 }],
            badKeys: { threshold: 3, windowMinutes: 10, baseDelaySeconds: 30, maxDelaySeconds: 300 },
          },
        },
      },
      undefined,
      { clock },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a flooding key 429 in Chinese with Retry-After, while another key from the same address goes on', async () => {
    const a = await t.token(['operations']);
    const b = await t.token(['operations']);
    for (let i = 0; i < 8; i++) {
      await get('/api/v1/admin/api-keys', '10.1.0.1', a).expect(403); // counted whatever the answer
    }
    const refused = await get('/api/v1/admin/api-keys', '10.1.0.1', a).expect(429);
    expect(refused.body).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringMatching(/^请求过于频繁.*每个密钥每 60 秒 8 次.*请 \d+ 秒后重试$/),
      correlationId: refused.headers['x-request-id'],
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await get('/api/v1/admin/api-keys', '10.1.0.1', b).expect(403);
    expect(t.logs.text.match(/request limit reached/g)).toHaveLength(1);
    await get('/api/v1/admin/api-keys', '10.1.0.1', a).expect(429);
    expect(t.logs.text.match(/request limit reached/g)).toHaveLength(1); // one line per key and window

    // A route of server.rateLimit.routes (by its pattern) holds key B to 2, whatever the id in the path.
    const revoke = (id: string) =>
      request(t.app.getHttpServer())
        .post(`/api/v1/admin/api-keys/${id}/revoke`)
        .set('x-forwarded-for', '10.1.0.1')
        .set('authorization', `Bearer ${b}`)
        .send({ reason: 'x' });
    await revoke('one').expect(403);
    await revoke('two').expect(403);
    const byRoute = await revoke('three').expect(429);
    expect(byRoute.body.message).toContain('此接口每个密钥每 60 秒 2 次');
    await get('/api/v1/admin/api-keys', '10.1.0.1', b).expect(403); // its other routes go on
  });

  it('limits an address whatever its keys, but not an exempt one; /health names keys that expire soon', async () => {
    const soon = await t.app
      .get(ApiKeyService)
      .create(
        { name: 'HIS 门诊', scopes: ['identity'], expiresAt: new Date(clock.now().getTime() + 7 * 86_400_000) },
        { type: 'system', id: 'e2e' },
      );
    for (let i = 0; i < 20; i++) {
      await get('/health', '10.2.0.1').expect(200);
    }
    const refused = await get('/health', '10.2.0.1').expect(429);
    expect(refused.body.message).toContain('每个地址每 60 秒 20 次');
    await get('/health', '10.2.0.2').expect(200);
    for (let i = 0; i < 25; i++) {
      await get('/health', '10.9.1.1').expect(200);
    }
    const health = await get('/health', '10.9.1.1').expect(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.components.apiKeys).toMatchObject({
      status: 'degraded',
      keys: [{ id: soon.key.id, name: 'HIS 门诊', expiresAt: '2026-12-11T02:00:00.000Z', expired: false }],
    });
    const metrics = await get('/metrics', '10.9.1.1').expect(200);
    expect(metrics.text).toMatch(/gateway_requests_limited_total\{reason="address"\} 1\b/);
    expect(metrics.text).toMatch(/gateway_requests_limited_total\{reason="key"\} [1-9]/);
  });

  it('slows an address down after repeated bad keys, audits it, and keeps its good keys working', async () => {
    const good = await t.token(['identity']);
    await get('/api/v1/admin/api-keys', '10.3.0.1', good).expect(403); // proven, cached
    for (let i = 0; i < 3; i++) {
      const bad = await get('/api/v1/admin/api-keys', '10.3.0.1', newToken().token).expect(401);
      expect(bad.body.code).toBe('AUTH_INVALID');
    }
    const slowed = await get('/api/v1/admin/api-keys', '10.3.0.1', newToken().token).expect(429);
    expect(slowed.body).toMatchObject({
      code: 'AUTH_TOO_MANY_FAILURES',
      message: expect.stringContaining('30 秒后重试'),
    });
    expect(slowed.headers['retry-after']).toBe('30');
    await get('/api/v1/admin/api-keys', '10.3.0.1', good).expect(403); // the desk's own key still gets through
    await get('/api/v1/admin/api-keys', '10.3.0.2', newToken().token).expect(401); // other addresses untouched

    const audit = t.app.get(DataSource).getRepository(AuditEntry);
    await eventually(async () => (await audit.countBy({ action: 'auth.bad-key' })) === 1, 'the auth.bad-key entry');
    const entry = await audit.findOneByOrFail({ action: 'auth.bad-key' });
    expect(JSON.parse(JSON.stringify(entry.details))).toMatchObject({ address: '10.3.0.1', failures: 3 });
  });

  it('refuses an admin key without expiry at create, and an expired key with AUTH_KEY_EXPIRED', async () => {
    const admin = await t.token(['admin']);
    const post = (body: object) =>
      request(t.app.getHttpServer())
        .post('/api/v1/admin/api-keys')
        .set('x-forwarded-for', '10.4.0.1')
        .set('authorization', `Bearer ${admin}`)
        .send(body);
    const refused = await post({ name: 'IT 工具', scopes: ['admin'] }).expect(400);
    expect(refused.body).toMatchObject({
      code: 'APIKEY_INVALID',
      details: [{ field: 'expiresAt', message: expect.stringContaining('必须设置到期时间') }],
    });
    const created = await post({ name: 'IT 工具', scopes: ['admin'], expiresAt: '2026-12-04T11:00:00+08:00' }).expect(
      201,
    );
    expect(created.body.key.expiresAt).toBe('2026-12-04T03:00:00.000Z');

    const his = await t.app
      .get(ApiKeyService)
      .create(
        { name: 'HIS', scopes: ['identity'], expiresAt: new Date('2026-12-04T02:30:00Z') },
        { type: 'system', id: 'e2e' },
      );
    await get('/api/v1/admin/api-keys', '10.4.0.2', his.token).expect(403);
    clock.advance(30 * 60_000);
    const expired = await get('/api/v1/admin/api-keys', '10.4.0.2', his.token).expect(401);
    expect(expired.body).toMatchObject({
      code: 'AUTH_KEY_EXPIRED',
      message: 'API 密钥已于 2026-12-04 10:30（北京时间）过期，请向信息科申请新的密钥',
    });
    const listed = await get('/api/v1/admin/api-keys', '10.4.0.1', created.body.token).expect(200);
    expect(listed.body.find((k: { id: string }) => k.id === his.key.id).expiresAt).toBe('2026-12-04T02:30:00.000Z');
  });
});

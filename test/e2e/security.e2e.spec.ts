import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { parseToken } from '../../src/platform/auth/api-key-token';
import { startTestApp, TestApp } from '../support/e2e-app';

describe('HIS API security', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ logging: { level: 'trace', requestBodies: true } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 401 with a JSON error body when the key is missing or unknown', async () => {
    const none = await request(t.app.getHttpServer()).get('/api/v1/admin/audit').expect(401);
    expect(none.headers['content-type']).toMatch(/application\/json/);
    expect(none.body).toEqual({
      code: 'AUTH_MISSING',
      message: expect.stringContaining('API 密钥'),
      correlationId: expect.any(String),
    });

    const unknown = await request(t.app.getHttpServer())
      .get('/api/v1/admin/audit')
      .set('authorization', `Bearer gwk_000000000000_${'A'.repeat(43)}`)
      .expect(401);
    expect(unknown.body.code).toBe('AUTH_INVALID');
  });

  it('answers 403 for a key without the scope, 200 with it', async () => {
    const identityKey = await t.token(['identity']);
    const forbidden = await request(t.app.getHttpServer())
      .get('/api/v1/admin/audit')
      .set('authorization', `Bearer ${identityKey}`)
      .expect(403);
    expect(forbidden.body).toMatchObject({ code: 'AUTH_SCOPE_MISSING', message: expect.stringContaining('admin') });

    const adminKey = await t.token(['admin']);
    const ok = await request(t.app.getHttpServer())
      .get('/api/v1/admin/audit')
      .set('authorization', `Bearer ${adminKey}`)
      .expect(200);
    expect(ok.body.map((e: { action: string }) => e.action)).toContain('apikey.create');
  });

  it('answers 403 from an address outside the key allow-list', async () => {
    const key = await t.token(['admin'], ['10.99.0.0/16']);
    const res = await request(t.app.getHttpServer())
      .get('/api/v1/admin/api-keys')
      .set('authorization', `Bearer ${key}`)
      .expect(403);
    expect(res.body.code).toBe('AUTH_IP_NOT_ALLOWED');
  });

  it('creates a key over the API, shows the token once, and keeps no clear copy of the secret anywhere', async () => {
    const admin = await t.token(['admin']);
    const created = await request(t.app.getHttpServer())
      .post('/api/v1/admin/api-keys')
      .set('authorization', `Bearer ${admin}`)
      .send({ name: 'HIS 住院', scopes: ['settlement'] })
      .expect(201);
    const token: string = created.body.token;
    const secret = parseToken(token)?.secret as string;
    await request(t.app.getHttpServer())
      .get('/api/v1/reference/institutions')
      .set('authorization', `Bearer ${token}`)
      .expect(200);

    const listed = await request(t.app.getHttpServer())
      .get('/api/v1/admin/api-keys')
      .set('authorization', `Bearer ${admin}`)
      .expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.find((k: { id: string }) => k.id === created.body.key.id)).toMatchObject({
      name: 'HIS 住院',
      scopes: ['settlement'],
    });

    // Every byte the gateway wrote: the database (and its WAL) and the logs.
    const files = readdirSync(t.config.dataDir).map((f) => readFileSync(join(t.config.dataDir, f)));
    expect(files.length).toBeGreaterThan(0);
    for (const bytes of files) {
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
    }
    expect(t.logs.text).not.toContain(secret);
    expect(t.logs.text).not.toContain(admin);
  });

  it('revokes a key at once', async () => {
    const admin = await t.token(['admin']);
    const victim = await t.token(['identity', 'admin']);
    const id = parseToken(victim)?.id as string;
    await request(t.app.getHttpServer())
      .post(`/api/v1/admin/api-keys/${id}/revoke`)
      .set('authorization', `Bearer ${admin}`)
      .send({ reason: 'leaked' })
      .expect(201);
    const res = await request(t.app.getHttpServer())
      .get('/api/v1/admin/audit')
      .set('authorization', `Bearer ${victim}`)
      .expect(401);
    expect(res.body.code).toBe('AUTH_REVOKED');
  });

  it('lists every invalid field of a request body, without echoing values', async () => {
    const admin = await t.token(['admin']);
    const res = await request(t.app.getHttpServer())
      .post('/api/v1/admin/api-keys')
      .set('authorization', `Bearer ${admin}`)
      .send({ name: '', scopes: ['root'], allowIps: 'x', idNumber: '11010519491231002X' })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = res.body.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'scopes', 'allowIps', 'idNumber']));
    expect(JSON.stringify(res.body)).not.toContain('11010519491231002X');
  });
});

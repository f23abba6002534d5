import request from 'supertest';
import { MASKED } from '../../src/platform/config/config-secrets';
import { startTestApp, TestApp } from '../support/e2e-app';

describe('GET /api/v1/admin/config', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: { poolSize: 7 } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 401 without a key and 403 AUTH_SCOPE_MISSING without the admin scope (audit is not enough)', async () => {
    await request(t.app.getHttpServer()).get('/api/v1/admin/config').expect(401);
    for (const scopes of [['identity'], ['audit'], ['operations', 'settlement']] as const) {
      const key = await t.token([...scopes]);
      const res = await request(t.app.getHttpServer())
        .get('/api/v1/admin/config')
        .set('authorization', `Bearer ${key}`)
        .expect(403);
      expect(res.body.code).toBe('AUTH_SCOPE_MISSING');
    }
  });

  it('answers the effective configuration with the keyring masked, values and origins by path', async () => {
    const key = await t.token(['admin']);
    const res = await request(t.app.getHttpServer())
      .get('/api/v1/admin/config')
      .set('authorization', `Bearer ${key}`)
      .expect(200);
    const text = JSON.stringify(res.body);
    const keyring = t.config.pii.keyring!;
    for (const secret of [...(keyring.lookupKeys ?? []).map((k) => k.key), ...keyring.keys.map((k) => k.key)]) {
      expect(text).not.toContain(secret);
    }
    expect(res.body.mode).toBe('sandbox');
    expect(res.body.config.pii.keyring).toBe(MASKED);
    expect(res.body.config.hospital.fixmedinsCode).toBe(t.config.hospital.fixmedinsCode);
    const byPath = new Map<string, { value: unknown; masked: boolean; origin: string | null }>(
      res.body.entries.map((e: { path: string }) => [e.path, e]),
    );
    expect(byPath.get('database.poolSize')).toEqual({
      path: 'database.poolSize',
      value: 7,
      masked: false,
      origin: 'override',
    });
    expect(byPath.get('server.bodyLimitBytes')).toMatchObject({
      value: t.config.server.bodyLimitBytes,
      origin: 'default',
    });
    expect(byPath.get('pii.keyring')).toMatchObject({ value: MASKED, masked: true });
    // Only the secrets are masked: nothing else of the real configuration looks secret by name.
    expect(res.body.entries.filter((e: { masked: boolean }) => e.masked).map((e: { path: string }) => e.path)).toEqual([
      'pii.keyring',
    ]);
    expect(res.body.sources[0]).toMatch(/default\.yaml$/);
  });
});

import request from 'supertest';
import { startTestApp, TestApp } from '../support/e2e-app';

describe('GET /api/v1/reference/institutions', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp();
    key = await t.token(['identity']);
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (query: string) =>
    request(t.app.getHttpServer()).get(`/api/v1/reference/institutions${query}`).set('authorization', `Bearer ${key}`);

  it('serves all 93 agreement institutions of Annexes 4–6 to any valid key', async () => {
    const res = await get('').expect(200);
    expect(res.body.version).toBe('2026-03');
    expect(res.body.total).toBe(93);
    const kinds = res.body.items.reduce(
      (acc: Record<string, number>, i: { kind: string }) => ({ ...acc, [i.kind]: (acc[i.kind] ?? 0) + 1 }),
      {},
    );
    expect(kinds).toEqual({ medical: 74, rehab: 14, 'assistive-device': 5 });
  });

  it('filters by kind, region prefix and part of the name', async () => {
    const rehab = await get('?kind=rehab').expect(200);
    expect(rehab.body.total).toBe(14);
    const yinchuan = await get('?region=6401&kind=medical').expect(200);
    expect(yinchuan.body.items.every((i: { regionCode: string }) => i.regionCode.startsWith('6401'))).toBe(true);
    const named = await get(`?name=${encodeURIComponent('自治区人民医院')}`).expect(200);
    expect(named.body.items.map((i: { name: string }) => i.name)).toContain('宁夏回族自治区人民医院');
  });

  it('refuses a bad filter with the field named', async () => {
    const res = await get('?kind=hospital&region=ab').expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['kind', 'region']);
  });

  it('needs a key', async () => {
    await request(t.app.getHttpServer()).get('/api/v1/reference/institutions').expect(401);
  });
});

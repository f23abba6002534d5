import SwaggerParser from '@apidevtools/swagger-parser';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/e2e-app';

describe('operations endpoints', () => {
  let t: TestApp;
  const routes: { method: string; url: string }[] = [];
  beforeAll(async () => {
    t = await startTestApp({}, (app: NestFastifyApplication) => {
      app
        .getHttpAdapter()
        .getInstance()
        .addHook('onRoute', (route) => {
          for (const method of [route.method].flat()) {
            routes.push({ method: method.toLowerCase(), url: route.url });
          }
        });
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /health reports the database, and the missing insurer link as degraded (not down)', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'degraded',
      mode: 'sandbox',
      components: {
        database: { status: 'up', detail: expect.stringContaining('sqlite') },
        upstream: {
          status: 'degraded',
          detail: expect.stringContaining('no insurer link'),
          mode: 'normal',
          queue: { pending: 0 },
        },
      },
    });
  });

  it('GET /metrics exposes the HTTP latency histogram by route', async () => {
    await request(t.app.getHttpServer()).get('/health').expect(200);
    const res = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/gateway_http_request_duration_seconds_bucket\{[^}]*route="\/health"[^}]*status="200"/);
    expect(res.text).toContain('gateway_process_cpu_seconds_total');
    // The insurer link: queue by status (read from the database at scrape time), oldest age, mode.
    expect(res.text).toMatch(/gateway_outbox_messages\{status="pending"\} \d+/);
    expect(res.text).toMatch(/gateway_outbox_oldest_waiting_seconds \d+/);
    expect(res.text).toMatch(/gateway_upstream_emergency 0/);
  });

  it('GET /api/docs-json is a valid OpenAPI 3 document describing every endpoint', async () => {
    const res = await request(t.app.getHttpServer()).get('/api/docs-json').expect(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(doc));

    // The console's pages (/, /console/…) are web pages, not API: docs/console.md describes them.
    const api = routes.filter(
      (r) => !r.url.startsWith('/api/docs') && !isConsolePage(r.url) && r.method !== 'head' && r.method !== 'options',
    );
    expect(api.length).toBeGreaterThanOrEqual(7);
    for (const { method, url } of api) {
      const path = url.replace(/:(\w+)/g, '{$1}');
      expect({ path, method, documented: Boolean(doc.paths[path]?.[method]) }).toEqual({
        path,
        method,
        documented: true,
      });
    }
    // Secured operations say so; every operation documents its error body.
    expect(doc.paths['/api/v1/admin/audit'].get.security).toEqual([{ apiKey: [] }]);
    expect(doc.components.schemas.ErrorBodyDto.required).toEqual(
      expect.arrayContaining(['code', 'message', 'correlationId']),
    );
    await request(t.app.getHttpServer()).get('/api/docs').expect(200);
  });

  it('echoes a caller-supplied request id in the header and the error body', async () => {
    const res = await request(t.app.getHttpServer())
      .get('/api/v1/admin/audit')
      .set('x-request-id', 'his-20261125-000042')
      .expect(401);
    expect(res.headers['x-request-id']).toBe('his-20261125-000042');
    expect(res.body.correlationId).toBe('his-20261125-000042');
  });

  it('answers malformed JSON, unknown routes and oversized bodies in the same error shape', async () => {
    const admin = await t.token(['admin']);
    const bad = await request(t.app.getHttpServer())
      .post('/api/v1/admin/api-keys')
      .set('authorization', `Bearer ${admin}`)
      .set('content-type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expect(bad.body).toEqual({ code: 'BAD_REQUEST', message: expect.any(String), correlationId: expect.any(String) });
    const missing = await request(t.app.getHttpServer()).get('/api/v1/nothing-here').expect(404);
    expect(missing.body.code).toBe('ROUTE_NOT_FOUND');
    const big = await request(t.app.getHttpServer())
      .post('/api/v1/admin/api-keys')
      .set('authorization', `Bearer ${admin}`)
      .send({ name: 'x'.repeat(2 * 1024 * 1024), scopes: ['admin'] })
      .expect(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('when the database fails', () => {
  it('answers a generic 500 with a correlation id, logs the cause, and /health says down', async () => {
    const t = await startTestApp({ logging: { level: 'error' } });
    try {
      const admin = await t.token(['admin']);
      await t.app.get(DataSource).query('DROP TABLE api_key');
      const res = await request(t.app.getHttpServer())
        .get('/api/v1/admin/audit')
        .set('authorization', `Bearer ${admin}`)
        .expect(500);
      expect(res.body).toEqual({
        code: 'INTERNAL_ERROR',
        message: expect.stringContaining('correlationId'),
        correlationId: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/api_key|SQLITE|no such table/i);
      expect(t.logs.text).toContain(res.body.correlationId);
      expect(t.logs.text).toMatch(/no such table/);

      await t.app.get(DataSource).destroy();
      const health = await request(t.app.getHttpServer()).get('/health').expect(503);
      expect(health.body.status).toBe('down');
      expect(health.body.components.database.status).toBe('down');
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});

function isConsolePage(url: string): boolean {
  return url === '/' || url === '/console' || url.startsWith('/console/');
}

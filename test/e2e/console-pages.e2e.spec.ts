import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { CONSOLE_CSP } from '../../src/platform/web/console-pages';
import { startTestApp, TestApp } from '../support/e2e-app';

/** A console as Vite builds it: index.html naming content-hashed assets. */
function writeBuiltConsole(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html lang="zh-CN"><head><script type="module" src="/console/assets/index-AbC123xy.js"></script></head><body><div id="app"></div></body></html>',
  );
  writeFileSync(join(dir, 'assets', 'index-AbC123xy.js'), 'console.log("控制台");\n');
  writeFileSync(join(dir, 'assets', 'index-Zz98Yy76.css'), 'body{margin:0}\n');
}

describe('the web console served by the gateway (/console/)', () => {
  describe('when built', () => {
    let t: TestApp;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gw-console-'));
      writeBuiltConsole(dir);
      t = await startTestApp({}, undefined, { consoleDir: dir });
    });
    afterAll(async () => {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('serves the page never cached, with a same-origin CSP and no framing', async () => {
      const res = await request(t.app.getHttpServer()).get('/console/').expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('/console/assets/index-AbC123xy.js');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(CONSOLE_CSP).toContain("default-src 'self'");
      expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
      expect(CONSOLE_CSP).not.toContain('unsafe');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('serves hashed assets as immutable for a year', async () => {
      const js = await request(t.app.getHttpServer()).get('/console/assets/index-AbC123xy.js').expect(200);
      expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(js.headers['content-type']).toMatch(/^(text|application)\/javascript/);
      expect(js.headers['x-content-type-options']).toBe('nosniff');
      const css = await request(t.app.getHttpServer()).get('/console/assets/index-Zz98Yy76.css').expect(200);
      expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(css.headers['content-type']).toMatch(/^text\/css/);
    });

    it('answers a missing asset 404, never with the page', async () => {
      const res = await request(t.app.getHttpServer()).get('/console/assets/index-Old00000.js').expect(404);
      expect(res.headers['content-type']).not.toMatch(/text\/html/);
    });

    it.each(['/console/desk', '/console/x/y', '/console/it/devices?tab=1'])(
      'answers %s with the page (history routing)',
      async (path) => {
        const res = await request(t.app.getHttpServer()).get(path).expect(200);
        expect(res.text).toContain('<div id="app"></div>');
        expect(res.headers['cache-control']).toBe('no-cache');
        expect(res.headers['x-frame-options']).toBe('DENY');
      },
    );

    it('sends / and /console to /console/', async () => {
      const root = await request(t.app.getHttpServer()).get('/').expect(302);
      expect(root.headers.location).toBe('/console/');
      const bare = await request(t.app.getHttpServer()).get('/console').expect(301);
      expect(bare.headers.location).toBe('/console/');
    });

    it('leaves the API, /health and the API docs as they were', async () => {
      const api = await request(t.app.getHttpServer()).get('/api/v1/devices').expect(401);
      expect(api.body.code).toBe('AUTH_MISSING');
      await request(t.app.getHttpServer()).get('/health').expect(200);
      await request(t.app.getHttpServer()).get('/api/docs-json').expect(200);
      const unknown = await request(t.app.getHttpServer()).get('/nothing-here').expect(404);
      expect(unknown.headers['content-type']).toMatch(/application\/json/);
    });
  });

  describe('when not built', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({}, undefined, { consoleDir: join(tmpdir(), 'gw-console-never-built') });
    });
    afterAll(async () => {
      await t.close();
    });

    it.each(['/console/', '/console/desk', '/console/assets/index-AbC123xy.js'])(
      'answers %s 503 saying in Chinese to run npm run build',
      async (path) => {
        const res = await request(t.app.getHttpServer()).get(path).expect(503);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.text).toContain('控制台尚未构建');
        expect(res.text).toContain('npm run build');
        expect(res.headers['cache-control']).toBe('no-store');
      },
    );
  });
});

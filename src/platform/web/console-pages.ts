import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../config/project-root';

/**
 * The web console (src/console, built by Vite into dist/console) served by the gateway itself:
 * - `/console/assets/*`: content-hashed files, cached for a year as immutable (a new build has
 *   new names); a missing one is a 404, never the page (a browser must not run HTML as script).
 * - `/console/` and every other `/console/*` path: index.html, never cached, so history routing
 *   works on reload and a new build is picked up at once; with the page's security headers.
 * - `/console` → `/console/`, and `/` → `/console/` (nothing else answers `/`).
 * The pages are public (the page itself holds no data); the API calls they make carry the staff
 * cookie and are checked there. Routes sit on Fastify directly, outside Nest's guards.
 * When dist/console is missing (never built), the page answers 503 saying how to build it.
 */
export const CONSOLE_PATH = '/console/';
const ASSETS_PREFIX = `${CONSOLE_PATH}assets/`;

/** A year, the most HTTP caches honour; safe because every asset name carries its content hash. */
const IMMUTABLE_MAX_AGE_SECONDS = 31_536_000;

/**
 * Only the gateway's own origin: scripts and styles come from the built files (no inline script),
 * the API and the desk WebSocket are same-origin ('self' covers ws:/wss: of the same host), and
 * no one may frame the console (clickjacking at a desk that confirms identities).
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>控制台尚未构建</title></head>
<body><h1>控制台尚未构建</h1>
<p>网关目录中没有 dist/console。请在网关目录运行 <code>npm run build</code>，然后重新启动网关。</p>
</body></html>
`;

export function defaultConsoleDir(): string {
  return join(projectRoot(), 'dist', 'console');
}

/** What these routes use of a Fastify reply (Nest's adapter brings its own copy of Fastify's types). */
interface PageReply {
  status(code: number): PageReply;
  headers(values: Record<string, string>): PageReply;
  header(name: string, value: string): PageReply;
  type(contentType: string): PageReply;
  send(body: string): PageReply;
}

/** Registers the console's routes; call before app.init(). */
export function registerConsolePages(app: NestFastifyApplication, consoleDir: string): void {
  const fastify = app.getHttpAdapter().getInstance();
  const assetsDir = join(consoleDir, 'assets');
  const indexFile = join(consoleDir, 'index.html');

  // Checked once at start: @fastify/static needs an existing folder. A rebuild while running
  // replaces the files inside it, which it serves as they are.
  if (existsSync(assetsDir)) {
    // Nest's adapter registers @fastify/static (a dependency of the gateway) with these options.
    app.useStaticAssets({
      root: assetsDir,
      prefix: ASSETS_PREFIX,
      decorateReply: false,
      index: false,
      wildcard: true,
      cacheControl: true,
      maxAge: IMMUTABLE_MAX_AGE_SECONDS * 1000,
      immutable: true,
      setHeaders: (res: { setHeader(name: string, value: string): unknown }) => {
        res.setHeader('x-content-type-options', 'nosniff');
      },
    });
  } else {
    fastify.get(`${ASSETS_PREFIX}*`, async (_request, reply) => notBuilt(reply));
  }

  const page = async (reply: PageReply): Promise<PageReply> => {
    let html: string;
    try {
      html = await readFile(indexFile, 'utf8');
    } catch {
      return notBuilt(reply);
    }
    return reply.headers(PAGE_HEADERS).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };

  fastify.get('/', async (_request, reply) => reply.redirect(CONSOLE_PATH, 302));
  fastify.get('/console', async (_request, reply) => reply.redirect(CONSOLE_PATH, 301));
  fastify.get(CONSOLE_PATH, async (_request, reply) => page(reply));
  fastify.get(`${CONSOLE_PATH}*`, async (_request, reply) => page(reply));
}

function notBuilt(reply: PageReply): PageReply {
  return reply
    .status(503)
    .headers(PAGE_HEADERS)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(NOT_BUILT_PAGE);
}

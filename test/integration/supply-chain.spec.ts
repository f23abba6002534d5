import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * The supply-chain gate (src/cli/dependency-audit.js) against a fake advisory service on loopback
 * (the registry's bulk advisory POST, answered with a recorded answer), and the SBOM (src/cli/sbom.js).
 * Both run npm on the gateway's own installed dependencies.
 */
const ROOT = join(__dirname, '..', '..');
const RECORDED = JSON.parse(
  readFileSync(join(ROOT, 'test', 'fixtures', 'npm-audit', 'bulk-advisories.json'), 'utf8'),
) as Record<string, { vulnerable_versions: string }[]>;
const WS_VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'node_modules', 'ws', 'package.json'), 'utf8')) as { version: string }
).version;
const WS_ADVISORY = 'GHSA-3h5v-q93c-6h6q';
const nestCore = (
  JSON.parse(readFileSync(join(ROOT, 'node_modules', '@nestjs', 'core', 'package.json'), 'utf8')) as { version: string }
).version;

interface Run {
  code: number;
  out: string;
}

function run(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, 'src', 'cli', script), ...args],
      { cwd: ROOT, env: { ...process.env, AUDIT_REQUIRED: '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
      },
    );
  });
}

describe('dependency audit (npm run audit:deps)', () => {
  let server: Server;
  let registry: string;
  /** What npm asked the advisory service about, per request. */
  const asked: Record<string, string[]>[] = [];
  let answer: Record<string, unknown> = {};
  const dir = mkdtempSync(join(tmpdir(), 'gw-audit-'));

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'POST' && req.url === '/-/npm/v1/security/advisories/bulk') {
          const raw = Buffer.concat(chunks);
          const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          asked.push(JSON.parse(body.toString('utf8')) as Record<string, string[]>);
          res.end(JSON.stringify(answer));
          return;
        }
        // The packument npm reads to work out the vulnerable versions: the installed one.
        const name = decodeURIComponent((req.url ?? '/').slice(1));
        const version = name === 'ws' ? WS_VERSION : '1.0.0';
        res.end(JSON.stringify({ name, 'dist-tags': { latest: version }, versions: { [version]: { name, version } } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The recorded ws advisory, its range moved to cover the installed ws (which has the fix). */
  const wsAdvisory = (): Record<string, unknown> => ({
    ws: RECORDED.ws.map((a) => ({ ...a, vulnerable_versions: `>=8.0.0 <=${WS_VERSION}` })),
  });
  const allowlist = (allowances: unknown[]): string => {
    const file = join(dir, `allow-${allowances.length}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ allowances }));
    return file;
  };
  const allowWs = (expires: string) => ({
    advisory: WS_ADVISORY,
    package: 'ws',
    reason: 'the gateway does not accept WebSocket upgrades from untrusted networks',
    reviewer: 'IT security, Zhang Wei',
    expires,
  });

  it('fails on a high advisory in a production dependency that is not allowed', async () => {
    answer = wsAdvisory();
    const r = await run('dependency-audit.js', ['--registry', registry, '--allowlist', allowlist([])]);
    expect(r.out).toContain(`FAIL high ${WS_ADVISORY} in ws (production dependency)`);
    expect(r.out).toContain('FAILED');
    expect(r.code).toBe(1);
    expect(asked.at(-1)?.ws).toEqual([WS_VERSION]);
  });

  it('passes when the reviewed allow-list allows it until a later day', async () => {
    answer = wsAdvisory();
    const r = await run('dependency-audit.js', [
      '--registry',
      registry,
      '--allowlist',
      allowlist([allowWs('2999-12-31')]),
    ]);
    expect(r.out).toContain(`allowed high ${WS_ADVISORY} in ws`);
    expect(r.out).toContain('reviewed by IT security, Zhang Wei');
    expect(r.code).toBe(0);
  });

  it('fails when the allowance has expired', async () => {
    answer = wsAdvisory();
    const r = await run('dependency-audit.js', [
      '--registry',
      registry,
      '--allowlist',
      allowlist([allowWs('2020-01-31')]),
    ]);
    expect(r.out).toContain(`FAIL allowance of ${WS_ADVISORY} (ws) expired on 2020-01-31`);
    expect(r.code).toBe(1);
  });

  it('fails on an allowance that does not say who reviewed it and until when', async () => {
    answer = {};
    const r = await run('dependency-audit.js', [
      '--registry',
      registry,
      '--allowlist',
      allowlist([{ advisory: WS_ADVISORY, package: 'ws', reason: 'fine' }]),
    ]);
    expect(r.out).toContain('missing reviewer, expires');
    expect(r.code).toBe(1);
  });

  it('ignores advisories of dev-only dependencies', async () => {
    answer = { jest: RECORDED.jest };
    const r = await run('dependency-audit.js', ['--registry', registry, '--allowlist', allowlist([])]);
    expect(r.out).toContain('passed');
    expect(r.code).toBe(0);
    expect(asked.at(-1)).not.toHaveProperty('jest');
    expect(asked.at(-1)).toHaveProperty('fastify');
  });

  it('says loudly when the advisory service cannot be reached; fails then only with AUDIT_REQUIRED=1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const args = ['--registry', `http://127.0.0.1:${port}/`, '--allowlist', allowlist([])];
    const lenient = await run('dependency-audit.js', args);
    expect(lenient.out).toContain('DEPENDENCY AUDIT NOT DONE: the advisory service could not be reached');
    expect(lenient.out).toContain('ECONNREFUSED');
    expect(lenient.code).toBe(0);
    const strict = await run('dependency-audit.js', args, { AUDIT_REQUIRED: '1' });
    expect(strict.out).toContain('AUDIT_REQUIRED=1: this is a failure');
    expect(strict.code).toBe(2);
  });
});

describe('SBOM (npm run sbom)', () => {
  it('writes CycloneDX JSON of the production dependencies, offline', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'gw-sbom-')), 'sbom.cdx.json');
    const r = await run('sbom.js', [out]);
    expect(r.code).toBe(0);
    const bom = JSON.parse(readFileSync(out, 'utf8')) as {
      bomFormat: string;
      specVersion: string;
      metadata: { component: { name: string; type: string; 'bom-ref': string } };
      components: { name: string; version: string; purl: string }[];
      dependencies: { ref: string; dependsOn: string[] }[];
    };
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toMatch(/^1\.\d+$/);
    expect(bom.metadata.component).toMatchObject({ name: 'ningxia-gongshang-gateway', type: 'application' });
    const names = new Set(bom.components.map((c) => c.name));
    // Also those a dev package depends on too (npm sbom --omit=dev leaves them out).
    for (const dep of ['fastify', '@nestjs/core', 'rxjs', 'reflect-metadata', 'typeorm', 'ws', '@fastify/helmet']) {
      expect(names).toContain(dep);
    }
    for (const dev of ['jest', 'typescript', 'eslint', 'vite']) {
      expect(names).not.toContain(dev);
    }
    const root = bom.dependencies.find((d) => d.ref === bom.metadata.component['bom-ref']);
    expect(root?.dependsOn).toContain('@nestjs/core@' + nestCore);
    expect(root?.dependsOn.some((ref) => ref.startsWith('jest@'))).toBe(false);
    const ws = bom.components.find((c) => c.name === 'ws');
    expect(ws?.version).toBe(WS_VERSION);
    expect(ws?.purl).toBe(`pkg:npm/ws@${WS_VERSION}`);
  });
});

import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import { ApiKeyRepository } from '../../src/platform/auth/api-key.repository';
import { hashSecret, newToken } from '../../src/platform/auth/api-key-token';
import { startTestApp, TestApp } from '../support/e2e-app';
import { IssuedCert, TestPki } from '../support/test-pki';

/**
 * The gateway's own listener over HTTPS with mutual TLS (server.tls), and the security headers on
 * every answer, over HTTPS and over plain HTTP.
 */

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: { code?: string } & Record<string, unknown>;
}

interface Client {
  ca: Buffer;
  cert?: IssuedCert;
  token?: string;
}

function get(base: string, path: string, client: Client): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${base}${path}`,
      {
        agent: false,
        ca: client.ca,
        ...(client.cert ? { cert: client.cert.cert, key: client.cert.key } : {}),
        headers: client.token ? { authorization: `Bearer ${client.token}` } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Answer['body'] = {};
          try {
            body = JSON.parse(text) as Answer['body'];
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A key with a chosen id (the binding in server.tls names it before the app starts). */
async function insertKey(t: TestApp, id: string): Promise<string> {
  const { secret } = newToken();
  const keys = t.app.get(ApiKeyRepository);
  await keys.insert(
    keys.build({
      id,
      name: `HIS ${id}`,
      secretHash: hashSecret(secret),
      scopes: ['admin'],
      allowIps: null,
      expiresAt: null,
      createdAt: new Date(),
      createdBy: 'e2e',
      lastUsedAt: null,
      revokedAt: null,
      revokedReason: null,
    }),
  );
  return `gwk_${id}_${secret}`;
}

function expectSecurityHeaders(headers: IncomingHttpHeaders | Record<string, string>, https: boolean): void {
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'self'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('SAMEORIGIN');
  expect(headers['referrer-policy']).toBe('same-origin');
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  if (https) {
    expect(headers['strict-transport-security']).toBe('max-age=31536000');
    expect(headers['content-security-policy']).toContain('upgrade-insecure-requests');
  } else {
    expect(headers['strict-transport-security']).toBeUndefined();
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  }
}

const KEY_A = 'aaaaaaaaaaa1';
const KEY_B = 'bbbbbbbbbbb2';
const KEY_UNBOUND = 'ccccccccccc3';

describe('HTTPS with mutual TLS required (server.tls)', () => {
  const pki = new TestPki();
  const ca = pki.ca('hospital-ca');
  const server = pki.issue('gateway', ca, 'server');
  const hisA = pki.issue('his-a', ca, 'client');
  const hisB = pki.issue('his-b', ca, 'client');
  const rogueCa = pki.ca('rogue-ca');
  const rogue = pki.issue('rogue', rogueCa, 'client');
  let t: TestApp;
  let base: string;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({
      server: {
        tls: {
          certFile: server.certFile,
          keyFile: pki.encryptKey(server, 'correct horse'),
          passphrase: 'correct horse',
          caFile: ca.certFile,
          clientCertificates: 'required',
          clientCertBindings: [
            { keyId: KEY_A, sha256: hisA.sha256 },
            // Without colons, lower case: the same fingerprint as openssl prints it otherwise.
            { keyId: KEY_B, sha256: hisB.sha256.replace(/:/g, '').toLowerCase() },
          ],
        },
      },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `https://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    tokens = {
      [KEY_A]: await insertKey(t, KEY_A),
      [KEY_B]: await insertKey(t, KEY_B),
      [KEY_UNBOUND]: await insertKey(t, KEY_UNBOUND),
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a bound certificate with its key, over TLS 1.2 or later, with the security headers and HSTS', async () => {
    const res = await get(base, '/api/v1/admin/api-keys', { ca: ca.cert, cert: hisA, token: tokens[KEY_A] });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res.headers, true);
  });

  it('refuses a connection without a client certificate in the handshake', async () => {
    await expect(get(base, '/health', { ca: ca.cert })).rejects.toThrow(
      /certificate required|socket hang up|ECONNRESET|EPIPE/,
    );
  });

  it('refuses a client certificate the hospital CA did not sign in the handshake', async () => {
    await expect(get(base, '/health', { ca: ca.cert, cert: rogue, token: tokens[KEY_A] })).rejects.toThrow(
      /unknown ca|socket hang up|ECONNRESET|EPIPE/i,
    );
  });

  it('answers 401 AUTH_CLIENT_CERT_MISMATCH to a certificate of the CA bound to another key', async () => {
    const res = await get(base, '/api/v1/admin/api-keys', { ca: ca.cert, cert: hisB, token: tokens[KEY_A] });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH_CLIENT_CERT_MISMATCH');
    expectSecurityHeaders(res.headers, true);
    const b = await get(base, '/api/v1/admin/api-keys', { ca: ca.cert, cert: hisB, token: tokens[KEY_B] });
    expect(b.status).toBe(200);
  });

  it('answers 401 AUTH_CLIENT_CERT_MISMATCH to a key no certificate is bound to', async () => {
    const res = await get(base, '/api/v1/admin/api-keys', { ca: ca.cert, cert: hisA, token: tokens[KEY_UNBOUND] });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH_CLIENT_CERT_MISMATCH');
  });

  it('keeps the bearer key required: a bound certificate alone is 401 AUTH_MISSING', async () => {
    const res = await get(base, '/api/v1/admin/api-keys', { ca: ca.cert, cert: hisA });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH_MISSING');
  });

  it('sends the security headers on /health and on a 404', async () => {
    const health = await get(base, '/health', { ca: ca.cert, cert: hisA });
    expect(health.status).toBe(200);
    expectSecurityHeaders(health.headers, true);
    const missing = await get(base, '/nowhere', { ca: ca.cert, cert: hisA });
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing.headers, true);
  });

  it('checks the same binding on the desk events WebSocket (wss)', async () => {
    const wss = base.replace('https', 'wss') + '/api/v1/devices/events';
    const open = (cert: IssuedCert, token: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(wss, {
          ca: ca.cert,
          cert: cert.cert,
          key: cert.key,
          headers: { authorization: `Bearer ${token}` },
        });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', reject);
      });
    expect(await open(hisA, tokens[KEY_A])).toBe(101);
    expect(await open(hisB, tokens[KEY_A])).toBe(401);
  });
});

describe('HTTPS with client certificates optional', () => {
  const pki = new TestPki();
  const ca = pki.ca('hospital-ca');
  const server = pki.issue('gateway', ca, 'server');
  const hisA = pki.issue('his-a', ca, 'client');
  const rogue = pki.issue('rogue', pki.ca('rogue-ca'), 'client');
  let t: TestApp;
  let base: string;
  let tokenA: string;
  let tokenFree: string;

  beforeAll(async () => {
    t = await startTestApp({
      server: {
        tls: {
          certFile: server.certFile,
          keyFile: server.keyFile,
          caFile: ca.certFile,
          clientCertificates: 'optional',
          clientCertBindings: [{ keyId: KEY_A, sha256: hisA.sha256 }],
        },
      },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `https://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    tokenA = await insertKey(t, KEY_A);
    tokenFree = await insertKey(t, KEY_UNBOUND);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets a connection without a certificate in, and a key no certificate is bound to work', async () => {
    const res = await get(base, '/api/v1/admin/api-keys', { ca: ca.cert, token: tokenFree });
    expect(res.status).toBe(200);
  });

  it('refuses a bound key without its certificate (401) and accepts it with', async () => {
    const without = await get(base, '/api/v1/admin/api-keys', { ca: ca.cert, token: tokenA });
    expect(without.status).toBe(401);
    expect(without.body.code).toBe('AUTH_CLIENT_CERT_MISMATCH');
    const withCert = await get(base, '/api/v1/admin/api-keys', { ca: ca.cert, cert: hisA, token: tokenA });
    expect(withCert.status).toBe(200);
  });

  it('drops a connection whose certificate the hospital CA did not sign', async () => {
    await expect(get(base, '/health', { ca: ca.cert, cert: rogue, token: tokenFree })).rejects.toThrow(
      /socket hang up|ECONNRESET|EPIPE/,
    );
  });
});

describe('security headers over plain HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['/health', 200],
    ['/nowhere', 404],
    ['/api/v1/devices', 401],
    ['/api/docs', 200],
  ])('sends them on %s (%i), without HSTS', async (path, status) => {
    const res = await request(t.app.getHttpServer()).get(path).expect(status);
    expectSecurityHeaders(res.headers, false);
  });

  it('lets the API docs run: no inline script, inline styles allowed', async () => {
    const res = await request(t.app.getHttpServer()).get('/api/docs').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(res.text).not.toMatch(/<script>(?!\s*<\/script>)/);
  });
});

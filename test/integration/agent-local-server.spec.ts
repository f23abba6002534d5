import { request as httpRequest } from 'node:http';
import type { AgentLocalSource, AgentStatusView, LocalRead } from '../../src/agents/agent/agent-state';
import { startAgentLocalServer, type AgentLocalServer } from '../../src/agents/agent/local-server';

/** The agent's localhost server over real HTTP on 127.0.0.1, with a source that behaves like the agent's. */

const HIS = 'http://his.hospital.local:8080';

/**
 * The running agent as the server sees it: reads arrive with `push`; `read()` answers the newest
 * matching read younger than maxAgeMs, else waits up to waitMs for the next matching one, else null.
 */
class FakeAgentSource implements AgentLocalSource {
  view: AgentStatusView = statusView();
  readonly calls: Parameters<AgentLocalSource['read']>[0][] = [];
  private readonly held: LocalRead[] = [];
  private waiters: { matches(r: LocalRead): boolean; resolve(r: LocalRead | null): void }[] = [];

  status(): AgentStatusView {
    return this.view;
  }

  push(read: LocalRead): void {
    this.held.push(read);
    const waiter = this.waiters.find((w) => w.matches(read));
    waiter?.resolve(read);
  }

  read(options: Parameters<AgentLocalSource['read']>[0]): Promise<LocalRead | null> {
    this.calls.push(options);
    const matches = (r: LocalRead): boolean =>
      (options.kinds.length === 0 || options.kinds.includes(r.type)) &&
      (options.deviceId === undefined || r.deviceId === options.deviceId);
    const fresh = this.held.filter((r) => matches(r) && Date.now() - readTime(r).getTime() < options.maxAgeMs).at(-1);
    if (fresh) {
      return Promise.resolve(fresh);
    }
    return new Promise((resolve) => {
      const waiter = {
        matches,
        resolve: (r: LocalRead | null) => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(r);
        },
      };
      const timer = setTimeout(() => waiter.resolve(null), options.waitMs);
      this.waiters.push(waiter);
    });
  }

  /** Ends every wait (no card): the agent stopping. */
  stop(): void {
    for (const w of [...this.waiters]) {
      w.resolve(null);
    }
  }
}

function readTime(r: LocalRead): Date {
  switch (r.type) {
    case 'id-card':
    case 'ssse-card':
      return r.read.at;
    case 'scan':
      return r.scan.at;
  }
}

function statusView(): AgentStatusView {
  const now = new Date().toISOString();
  return {
    pid: 4242,
    agentVersion: '0.1.0',
    startedAt: now,
    updatedAt: now,
    central: 'wss://gw.hospital.local:8443',
    agentId: '019a0000-0000-7000-8000-000000000001',
    desk: '门诊挂号3',
    name: '挂号3号窗口',
    link: {
      state: 'offline',
      since: '2026-12-03T06:00:00.000Z',
      attempts: 3,
      nextAttemptAt: null,
      lastError: 'connect ECONNREFUSED',
      refusedCode: null,
    },
    offline: {
      online: false,
      offlineSince: '2026-12-03T06:00:00.000Z',
      bufferedScans: 12,
      heldReads: 0,
      droppedReads: 0,
      journalFillPercent: 0.1,
      notice: '与中心的连接已于 14:00 断开：已扫的追溯码在本机缓存 12 条，恢复连接后自动上传；',
    },
    devices: [
      {
        id: 'gh3-ssse',
        kind: 'ssse-card',
        path: null,
        state: 'error',
        message: '读卡器故障 <script>alert(1)</script>',
        at: now,
      },
      { id: 'gh3-idcard', kind: 'id-card', path: 'COM3', state: 'waiting', message: '等待放卡', at: now },
    ],
    refusedDevices: [{ id: 'gh3-hid', problem: 'node-hid 未安装 & 无法打开' }],
    journal: { pendingRecords: 12, lastSeq: 40, ackedThrough: 28, fill: 0.001 },
  };
}

function idCardRead(at: Date): LocalRead {
  return {
    type: 'id-card',
    deviceId: 'gh3-idcard',
    desk: '门诊挂号3',
    read: {
      identity: { name: '张三', idNumber: '11010519491231002X' } as never,
      photo: Buffer.from([1, 2, 3]),
      at,
    },
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

function call(
  server: AgentLocalServer,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', agent: false, headers: { host: url.host, ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the agent localhost server', () => {
  let source: FakeAgentSource;
  let server: AgentLocalServer;

  beforeEach(async () => {
    source = new FakeAgentSource();
    server = await startAgentLocalServer(source, { port: 0, readerApi: true, allowedOrigins: [HIS] });
  });

  afterEach(async () => {
    source.stop();
    await server.close();
  });

  it('listens on 127.0.0.1 only and names its URL', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('shows the status page in Chinese, with the offline notice, and escapes what it prints', async () => {
    const page = await call(server, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.text).toContain('离线');
    expect(page.text).toContain('2026-12-03 14:00:00'); // since when, Beijing time
    expect(page.text).toContain('门诊挂号3');
    expect(page.text).toContain('挂号3号窗口');
    expect(page.text).toContain('已扫的追溯码在本机缓存 12 条');
    expect(page.text).toContain('故障');
    expect(page.text).toContain('身份证阅读器');
    expect(page.text).toContain('<meta http-equiv="refresh" content="2">');
    expect(page.text).not.toContain('<script>');
    expect(page.text).toContain('读卡器故障 &#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page.text).toContain('gh3-hid：node-hid 未安装 &#38; 无法打开');
    expect(page.text).not.toMatch(/(src|href)=/); // self-contained: no external assets

    source.view = { ...statusView(), link: { ...statusView().link, state: 'refused', refusedCode: 'AGENT_REVOKED' } };
    const refused = await call(server, '/');
    expect(refused.text).toContain('已被中心拒绝');
    expect(refused.text).toContain('AGENT_REVOKED');
  });

  it('answers the status as JSON', async () => {
    const status = await call(server, '/status');
    expect(status.status).toBe(200);
    expect(status.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(status.json()).toEqual(JSON.parse(JSON.stringify(source.view)));
  });

  it('answers an allowed origin with CORS headers and refuses any other origin without them', async () => {
    const allowed = await call(server, '/api/v1/reader/status', { headers: { origin: HIS } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe(HIS);
    expect(allowed.headers.vary).toBe('Origin');
    expect(allowed.json()).toEqual({
      ok: true,
      online: false,
      desk: '门诊挂号3',
      devices: [
        { id: 'gh3-ssse', kind: 'ssse-card', state: 'error' },
        { id: 'gh3-idcard', kind: 'id-card', state: 'waiting' },
      ],
    });

    for (const origin of ['http://evil.example', 'null', 'http://his.hospital.local:8081']) {
      const refused = await call(server, '/api/v1/reader/read?wait=0', { headers: { origin } });
      expect(`${origin} ${refused.status} ${refused.json().code as string}`).toBe(`${origin} 403 ORIGIN_NOT_ALLOWED`);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      expect(refused.json().message).toContain('allowedOrigins');
    }
    expect(source.calls).toEqual([]);

    const statusPage = await call(server, '/', { headers: { origin: 'http://evil.example' } });
    expect(statusPage.status).toBe(403);
  });

  it('answers the preflight of an allowed origin, with Private Network Access, and refuses the others', async () => {
    const preflight = await call(server, '/api/v1/reader/read', {
      method: 'OPTIONS',
      headers: {
        origin: HIS,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'content-type',
        'access-control-request-private-network': 'true',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(HIS);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET');
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type');
    expect(preflight.headers['access-control-allow-private-network']).toBe('true');
    expect(preflight.headers['cache-control']).toBe('no-store');

    const refused = await call(server, '/api/v1/reader/read', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect(refused.headers['access-control-allow-private-network']).toBeUndefined();
  });

  it('refuses a request addressed by any name but the loopback ones (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`, '127.0.0.1']) {
      const refused = await call(server, '/status', { headers: { host } });
      expect(`${host} ${refused.status} ${refused.json().code as string}`).toBe(`${host} 421 HOST_NOT_ALLOWED`);
    }
    for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `127.0.0.1:${port}`]) {
      expect(`${host} ${(await call(server, '/status', { headers: { host } })).status}`).toBe(`${host} 200`);
    }
  });

  it('answers an unknown route 404 and a method other than GET 405, as JSON', async () => {
    const missing = await call(server, '/api/v1/reader/write');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(missing.json().code).toBe('LOCAL_ROUTE_NOT_FOUND');
    const post = await call(server, '/status', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(post.json().code).toBe('LOCAL_METHOD_NOT_ALLOWED');
  });

  it('hands a card read pushed during the wait to the page', async () => {
    const reading = call(server, '/api/v1/reader/read?kind=id-card&wait=5', { headers: { origin: HIS } });
    const at = new Date();
    setTimeout(() => source.push(idCardRead(at)), 100);
    const answer = await reading;
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(HIS);
    expect(answer.json()).toEqual({
      ok: true,
      read: {
        type: 'id-card',
        deviceId: 'gh3-idcard',
        desk: '门诊挂号3',
        at: at.toISOString(),
        identity: { name: '张三', idNumber: '11010519491231002X' },
        photoWlt: 'AQID',
      },
    });
    expect(source.calls).toEqual([{ kinds: ['id-card'], deviceId: undefined, maxAgeMs: 10_000, waitMs: 5000 }]);

    // The card is still on the reader: the next call gets it at once.
    const again = await call(server, '/api/v1/reader/read?kind=any&wait=0&device=gh3-idcard');
    expect((again.json().read as Record<string, unknown>).at).toBe(at.toISOString());
    expect(source.calls[1]).toEqual({ kinds: [], deviceId: 'gh3-idcard', maxAgeMs: 10_000, waitMs: 0 });
  });

  it('answers NO_CARD when no card came within the wait (a read older than 10 s is not the card on the reader)', async () => {
    source.push(idCardRead(new Date(Date.now() - 60_000)));
    const answer = await call(server, '/api/v1/reader/read?kind=id-card&wait=0.2');
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ ok: false, code: 'NO_CARD', message: '未读到卡，请插卡或放卡后重试' });
    expect(source.calls).toEqual([{ kinds: ['id-card'], deviceId: undefined, maxAgeMs: 10_000, waitMs: 200 }]);
  });

  it('refuses a bad query with 400, a code and a Chinese message, before asking the agent', async () => {
    for (const [query, code] of [
      ['wait=61', 'READER_QUERY_INVALID'],
      ['wait=-1', 'READER_QUERY_INVALID'],
      ['wait=abc', 'READER_QUERY_INVALID'],
      ['wait=', 'READER_QUERY_INVALID'],
      ['kind=passport', 'READER_QUERY_INVALID'],
      ['device=gh3-nothing', 'READER_DEVICE_UNKNOWN'],
    ]) {
      const refused = await call(server, `/api/v1/reader/read?${query}`);
      expect(`${query} ${refused.status} ${refused.json().code as string}`).toBe(`${query} 400 ${code}`);
      expect(refused.json().message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect((await call(server, '/api/v1/reader/read?wait=61')).json().message).toContain('0 到 60');
    expect(source.calls).toEqual([]);
  });

  it('refuses a ninth call while eight are waiting for a card (READER_BUSY), and takes calls again after', async () => {
    const waiting = Array.from({ length: 8 }, () => call(server, '/api/v1/reader/read?wait=30'));
    while (source.calls.length < 8) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const ninth = await call(server, '/api/v1/reader/read?wait=30');
    expect(`${ninth.status} ${ninth.json().code as string}`).toBe('429 READER_BUSY');
    source.push(idCardRead(new Date())); // one card: answers one waiting call
    source.stop();
    const answers = await Promise.all(waiting);
    expect(answers.map((a) => a.json().ok).sort()).toEqual([false, false, false, false, false, false, false, true]);
    expect((await call(server, '/api/v1/reader/read?wait=0')).json().ok).toBe(true);
    expect(source.calls).toHaveLength(9);
  });

  it('keeps the reader service off unless asked for, while the status page still answers', async () => {
    const off = await startAgentLocalServer(source, { port: 0, readerApi: false, allowedOrigins: [HIS] });
    try {
      for (const path of ['/api/v1/reader/status', '/api/v1/reader/read?wait=0']) {
        const refused = await call(off, path);
        expect(`${path} ${refused.status} ${refused.json().code as string}`).toBe(`${path} 404 READER_API_OFF`);
      }
      expect((await call(off, '/status')).status).toBe(200);
      expect(source.calls).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it('closes while a page is still waiting for a card', async () => {
    const waiting = call(server, '/api/v1/reader/read?wait=30').catch((e: NodeJS.ErrnoException) => e.code);
    while (source.calls.length === 0) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await server.close();
    expect(await waiting).toBe('ECONNRESET');
    server = await startAgentLocalServer(source, { port: 0, readerApi: true, allowedOrigins: [] });
  });
});

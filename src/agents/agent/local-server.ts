import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toWireEvent } from '../../devices/device-event-wire';
import type { AgentLocalSource } from './agent-state';
import { AGENT_LOCAL_ERROR_ENTRIES, type AgentLocalErrorCode } from './local-errors';
import { renderStatusPage } from './local-status-page';

export interface AgentLocalServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** The only address bound: 127.0.0.1 unless given (never a wildcard: the server is for this PC). */
  host?: string;
  /** Also answer the reader service (/api/v1/reader/…) browser-based HIS pages call. */
  readerApi: boolean;
  /** Origins (scheme://host[:port]) of the HIS pages allowed to call this server from a browser. */
  allowedOrigins: string[];
}

export interface AgentLocalServer {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/** The longest a reader call may wait for a card (seconds), and the wait when the page names none. */
export const READ_WAIT_MAX_SECONDS = 60;
export const READ_WAIT_DEFAULT_SECONDS = 10;
/** A read younger than this is the card on the reader now. */
export const READ_MAX_AGE_MS = 10_000;
/** Reader calls waiting at once: more are refused (READER_BUSY) rather than piling up. */
export const READ_MAX_WAITING = 8;

const READ_KINDS: Readonly<Record<string, readonly string[]>> = {
  'ssse-card': ['ssse-card'],
  'id-card': ['id-card'],
  any: [],
};

/** A read that found no card is a result (HTTP 200, code NO_CARD), not a refusal: see local-errors.ts. */
const NO_CARD_MESSAGE = '未读到卡，请插卡或放卡后重试';

/**
 * The desk agent's own HTTP server on the desk PC (docs/agents.md, "The localhost reader service"):
 * the status page (`GET /`), the status as JSON (`GET /status`) and, when `readerApi`, the reader
 * service HIS pages in a browser call to read a card now. Plain `node:http`, bound to one loopback
 * address; a request from a page whose origin is not allowed, or addressed by any other host name
 * (DNS rebinding), is refused before anything is read.
 */
export async function startAgentLocalServer(
  source: AgentLocalSource,
  options: AgentLocalServerOptions,
): Promise<AgentLocalServer> {
  const host = options.host ?? '127.0.0.1';
  const allowed = new Set(options.allowedOrigins.map(normalOrigin));
  let port = options.port;
  let waiting = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        sendError(res, 'LOCAL_INTERNAL_ERROR');
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!hostAllowed(req.headers.host, port)) {
      sendError(res, 'HOST_NOT_ALLOWED');
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!allowed.has(normalOrigin(origin))) {
        sendError(
          res,
          'ORIGIN_NOT_ALLOWED',
          `此网页的来源 ${origin} 不在桌面代理的允许列表中：请信息科在代理的 agent.yaml 的 local.allowedOrigins 中加入该地址`,
        );
        return;
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routeOf(url.pathname);
    if (route === null || (route.startsWith('reader-') && !options.readerApi)) {
      sendError(res, route === null ? 'LOCAL_ROUTE_NOT_FOUND' : 'READER_API_OFF');
      return;
    }
    if (req.method === 'OPTIONS') {
      // A CORS preflight (the origin was checked above), including Chrome's Private Network Access one.
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      if (origin !== undefined) {
        res.setHeader('Access-Control-Allow-Methods', 'GET');
        res.setHeader('Access-Control-Allow-Headers', 'content-type');
        res.setHeader('Access-Control-Allow-Private-Network', 'true');
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      sendError(res, 'LOCAL_METHOD_NOT_ALLOWED');
      return;
    }
    switch (route) {
      case 'page':
        send(res, 200, 'text/html; charset=utf-8', renderStatusPage(source.status()), {
          // No script, no external anything: the page needs only its inline style.
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
          'Referrer-Policy': 'no-referrer',
        });
        return;
      case 'status':
        sendJson(res, 200, source.status());
        return;
      case 'reader-status':
        sendJson(res, 200, readerStatus(source));
        return;
      case 'reader-read':
        await read(url.searchParams, res);
        return;
    }
  }

  async function read(query: URLSearchParams, res: ServerResponse): Promise<void> {
    const kind = query.get('kind') ?? 'any';
    const kinds = Object.prototype.hasOwnProperty.call(READ_KINDS, kind) ? READ_KINDS[kind] : undefined;
    if (kinds === undefined) {
      sendError(
        res,
        'READER_QUERY_INVALID',
        `kind=${kind} 无效：应为 ssse-card（社保卡）、id-card（身份证）或 any（任一）`,
      );
      return;
    }
    const waitText = query.get('wait');
    const wait = waitText === null ? READ_WAIT_DEFAULT_SECONDS : parseSeconds(waitText);
    if (wait === null) {
      sendError(res, 'READER_QUERY_INVALID', `wait=${waitText} 无效：应为 0 到 ${READ_WAIT_MAX_SECONDS} 的秒数`);
      return;
    }
    const deviceId = query.get('device') ?? undefined;
    if (deviceId !== undefined && !source.status().devices.some((d) => d.id === deviceId)) {
      sendError(
        res,
        'READER_DEVICE_UNKNOWN',
        `本机没有编号为 ${deviceId} 的设备：请用 GET /api/v1/reader/status 查看本机设备`,
      );
      return;
    }
    if (waiting >= READ_MAX_WAITING) {
      sendError(res, 'READER_BUSY');
      return;
    }
    waiting += 1;
    try {
      const found = await source.read({ kinds, deviceId, maxAgeMs: READ_MAX_AGE_MS, waitMs: Math.round(wait * 1000) });
      if (res.destroyed) {
        return; // the page gave up (closed, navigated away): nobody to answer
      }
      sendJson(
        res,
        200,
        found === null
          ? { ok: false, code: 'NO_CARD', message: NO_CARD_MESSAGE }
          : { ok: true, read: toWireEvent(found) },
      );
    } finally {
      waiting -= 1;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Long-polling reader calls and idle keep-alive connections would hold close() open.
        server.closeAllConnections();
      }),
  };
}

type Route = 'page' | 'status' | 'reader-status' | 'reader-read';

function routeOf(pathname: string): Route | null {
  switch (pathname) {
    case '/':
      return 'page';
    case '/status':
      return 'status';
    case '/api/v1/reader/status':
      return 'reader-status';
    case '/api/v1/reader/read':
      return 'reader-read';
    default:
      return null;
  }
}

/** The short answer of GET /api/v1/reader/status: no personal data, no message texts. */
function readerStatus(source: AgentLocalSource): {
  ok: true;
  online: boolean;
  desk: string | null;
  devices: { id: string; kind: string; state: string }[];
} {
  const view = source.status();
  return {
    ok: true,
    online: view.link.state === 'online',
    desk: view.desk,
    devices: view.devices.map((d) => ({ id: d.id, kind: d.kind, state: d.state })),
  };
}

/**
 * Only the loopback names, with this server's port: a page on an attacker's domain whose name was
 * re-pointed at 127.0.0.1 (DNS rebinding) sends its own name as Host and is refused.
 */
export function hostAllowed(hostHeader: string | undefined, port: number): boolean {
  if (hostHeader === undefined) {
    return false;
  }
  const h = hostHeader.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

/** An origin as browsers send it (lower-case scheme and host, no default port); the text itself if unparsable ("null"). */
function normalOrigin(origin: string): string {
  try {
    const u = new URL(origin);
    return u.origin === 'null' ? origin : u.origin;
  } catch {
    return origin;
  }
}

/** Seconds from 0 to READ_WAIT_MAX_SECONDS (decimals allowed), or null. */
function parseSeconds(text: string): number | null {
  if (!/^\d{1,2}(\.\d{1,3})?$/.test(text)) {
    return null;
  }
  const n = Number(text);
  return n <= READ_WAIT_MAX_SECONDS ? n : null;
}

function sendError(res: ServerResponse, code: AgentLocalErrorCode, message?: string): void {
  const entry = AGENT_LOCAL_ERROR_ENTRIES[code];
  sendJson(res, entry.status, { ok: false, code, message: message ?? entry.message });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  const data = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': data.length });
  res.end(data);
}

import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  ApiKeyService,
  ClientCertificateCheck,
  DomainError,
  mayWatchDesk,
  PLATFORM_ERRORS,
  type Principal,
  type Scope,
  staffCookieOf,
  staffPrincipal,
  StaffSessionService,
} from '../platform';
import { DeviceEvent, DeviceEvents, SettlementEvent, TraceCodeEvent, VerdictEvent } from './device-events';
import { DeviceRegistry } from './device-registry';
import { toWireEvent, WireDeviceEvent } from './device-event-wire';

export const DEVICE_EVENTS_PATH = '/api/v1/devices/events';

/** Subprotocol a browser uses to carry its API key: `new WebSocket(url, ['gateway-key', token])`. */
export const KEY_SUBPROTOCOL = 'gateway-key';

/**
 * WebSocket paths other capabilities serve on the same HTTP server (the agent link): their own
 * upgrade listener answers them; this one refuses only paths nobody serves.
 */
const OTHER_WEBSOCKET_PATHS = new Set<string>();
export function registerWebSocketPath(path: string): void {
  OTHER_WEBSOCKET_PATHS.add(path);
}

/** A client that stops reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const PING_INTERVAL_MS = 30_000;

/** Who may see what: reads of cards carry personal data, scans feed identity and trace codes. */
const EVENT_SCOPES: Record<(DeviceEvent | VerdictEvent | TraceCodeEvent | SettlementEvent)['type'], readonly Scope[]> =
  {
    status: ['identity', 'trace-codes', 'admin'],
    'id-card': ['identity'],
    'ssse-card': ['identity'],
    scan: ['identity', 'trace-codes'],
    verdict: ['identity'],
    'trace-code': ['trace-codes'],
    settlement: ['settlement'],
  };

interface Subscriber {
  socket: WebSocket;
  desk: string | undefined;
  principal: Principal;
  alive: boolean;
  /** The console's session cookie, when the page connected with it: checked every STAFF_CHECK_MS. */
  staffCookie?: string;
}

/** How often a console page's connection is checked against its staff session. */
export const STAFF_CHECK_MS = 30_000;
/** The close code a console page gets when its staff session has ended (logout, expiry, account disabled). */
export const STAFF_SESSION_ENDED_CLOSE = 4401;

/**
 * Device events over WebSocket, one desk per connection: `GET /api/v1/devices/events?desk=…`
 * with the API key in `Authorization: Bearer …` (HIS) or as the second subprotocol after
 * `gateway-key` (browsers cannot set headers), or with the console's staff cookie (same-origin
 * pages only; the staff member's roles must work at desks and the desk must be one of theirs, any
 * desk for IT). Without `desk` only admin keys (and IT staff) may connect, and they see every desk. The first message is a `hello` with the desk's devices and their
 * status; then every event of that desk as it happens. Refusals are plain HTTP answers with
 * the usual error body, before the upgrade.
 */
@Injectable()
export class DeviceEventsSocket implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceEventsSocket.name);
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    handleProtocols: (protocols) => (protocols.has(KEY_SUBPROTOCOL) ? KEY_SUBPROTOCOL : false),
  });
  private readonly subscribers = new Set<Subscriber>();
  private server: Server | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private staffTimer: NodeJS.Timeout | undefined;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (OTHER_WEBSOCKET_PATHS.has(url.pathname)) {
      return;
    }
    if (url.pathname !== DEVICE_EVENTS_PATH) {
      // The only WebSocket endpoint: anything else would otherwise hang until the client gives up.
      refuse(socket, 404, 'NOT_FOUND', `没有这个 WebSocket 地址；设备事件在 ${DEVICE_EVENTS_PATH}?desk=<工位>`);
      return;
    }
    void this.accept(request, socket, head, url);
  };
  private readonly onEvent = (event: DeviceEvent | VerdictEvent | TraceCodeEvent | SettlementEvent): void =>
    this.broadcast(event, () => toWireEvent(event));
  /** Another instance's event (DeskEventRelay), already as the wire carries it. */
  private readonly onRemote = (wire: WireDeviceEvent): void => {
    if (wire && typeof wire.desk === 'string' && Object.hasOwn(EVENT_SCOPES, wire.type)) {
      this.broadcast(wire, () => wire);
    }
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly apiKeys: ApiKeyService,
    private readonly staffSessions: StaffSessionService,
    private readonly events: DeviceEvents,
    private readonly registry: DeviceRegistry,
    private readonly clientCertificates: ClientCertificateCheck,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    this.events.on('event', this.onEvent);
    this.events.on('verdict', this.onEvent);
    this.events.on('trace-code', this.onEvent);
    this.events.on('settlement', this.onEvent);
    this.events.on('remote', this.onRemote);
    this.pingTimer = setInterval(() => this.ping(), PING_INTERVAL_MS).unref();
    this.staffTimer = setInterval(() => void this.checkStaffSessions(), STAFF_CHECK_MS).unref();
  }

  /**
   * Closes every console connection whose staff session has ended — logged out, idle or past its
   * absolute end, the account disabled or its password reset, on this instance or another — with
   * 4401 and STAFF_SESSION_MISSING, so the page goes to the login instead of showing a desk nobody
   * is signed in at. Runs every STAFF_CHECK_MS; answers how many were closed.
   */
  async checkStaffSessions(): Promise<number> {
    let closed = 0;
    for (const s of [...this.subscribers]) {
      if (s.staffCookie === undefined) {
        continue;
      }
      let active: boolean;
      try {
        active = await this.staffSessions.isActive(s.staffCookie);
      } catch (e) {
        // The database away: keep the page; the next check decides.
        this.logger.warn({ err: e }, 'device events: could not check a console session');
        continue;
      }
      if (!active && this.subscribers.delete(s)) {
        s.socket.close(STAFF_SESSION_ENDED_CLOSE, 'STAFF_SESSION_MISSING');
        closed += 1;
      }
    }
    return closed;
  }

  /**
   * Before the HTTP server closes (it waits for every open connection, upgraded ones included): each
   * desk page is told the gateway is going (1001) and cut if it has not closed within a second, so a
   * connected console never keeps the gateway from stopping.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.server?.off('upgrade', this.onUpgrade);
    await closeGracefully([...this.subscribers].map((s) => s.socket));
  }

  onApplicationShutdown(): void {
    clearInterval(this.pingTimer);
    clearInterval(this.staffTimer);
    this.server?.off('upgrade', this.onUpgrade);
    this.events.off('event', this.onEvent);
    this.events.off('verdict', this.onEvent);
    this.events.off('trace-code', this.onEvent);
    this.events.off('settlement', this.onEvent);
    this.events.off('remote', this.onRemote);
    for (const s of this.subscribers) {
      s.socket.terminate();
    }
    this.subscribers.clear();
  }

  /** Open connections, for /metrics and tests. */
  get connections(): number {
    return this.subscribers.size;
  }

  private async accept(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const desk = url.searchParams.get('desk') ?? undefined;
    let principal: Principal;
    let cookie: string | undefined;
    try {
      const key = authorization(request);
      cookie = key ? undefined : staffCookieOf(request.headers.cookie);
      if (cookie !== undefined) {
        principal = await this.staffPrincipal(request, cookie, desk);
      } else {
        principal = await this.apiKeys.authenticate(
          key,
          request.socket.remoteAddress ?? '',
          desk === undefined ? ['admin'] : ['identity', 'trace-codes', 'settlement', 'admin'],
        );
        // Mutual TLS: the same certificate-to-key binding as the HTTP API (server.tls).
        this.clientCertificates.check(principal.id, request.socket);
      }
      if (desk !== undefined && (desk.length === 0 || desk.length > 40)) {
        return refuse(socket, 400, 'VALIDATION_FAILED', 'desk 参数应为1到40个字符的工位名称');
      }
    } catch (e) {
      if (e instanceof DomainError) {
        return refuse(socket, e.status, e.code, e.userMessage);
      }
      this.logger.error({ err: e }, 'device events: authentication failed');
      return refuse(socket, 500, 'INTERNAL', '网关内部错误');
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const subscriber: Subscriber = { socket: ws, desk, principal, alive: true, staffCookie: cookie };
      this.subscribers.add(subscriber);
      ws.on('pong', () => {
        subscriber.alive = true;
      });
      ws.on('close', () => this.subscribers.delete(subscriber));
      ws.on('error', () => this.subscribers.delete(subscriber));
      const devices = this.registry.list().filter((d) => desk === undefined || d.desk === desk);
      this.send(subscriber, {
        type: 'hello',
        desk: desk ?? null,
        devices: devices.map((d) => ({
          id: d.id,
          kind: d.kind,
          desk: d.desk,
          state: d.status.state,
          message: d.status.message,
          since: d.status.at.toISOString(),
        })),
      });
    });
  }

  /**
   * A console page signed in with the staff cookie: only from the gateway's own pages (a WebSocket is
   * not bound by SameSite or CORS, so the Origin must name this host), and only for the staff
   * member's desks.
   */
  private async staffPrincipal(request: IncomingMessage, cookie: string, desk: string | undefined): Promise<Principal> {
    if (!sameOrigin(request)) {
      throw PLATFORM_ERRORS.raise('STAFF_ORIGIN_REFUSED');
    }
    const staff = await this.staffSessions.authenticate(cookie, 'GET', undefined);
    const principal = staffPrincipal(staff);
    if (desk === undefined ? !principal.scopes.includes('admin') : !mayWatchDesk(staff, desk)) {
      throw PLATFORM_ERRORS.raise('STAFF_DESK_NOT_ALLOWED', {
        message:
          desk === undefined
            ? '只有信息科可以同时查看所有工位：请在地址中指定工位（?desk=…）'
            : `您的账号不能在工位「${desk}」工作：请向信息科确认您的工位设置`,
      });
    }
    return principal;
  }

  private broadcast(event: { type: keyof typeof EVENT_SCOPES; desk: string }, toWire: () => WireDeviceEvent): void {
    let wire: WireDeviceEvent | undefined;
    for (const s of this.subscribers) {
      if (
        (s.desk !== undefined && s.desk !== event.desk) ||
        !EVENT_SCOPES[event.type].some((scope) => s.principal.scopes.includes(scope))
      ) {
        continue;
      }
      wire ??= toWire();
      this.send(s, wire);
    }
  }

  private send(s: Subscriber, message: object): void {
    if (s.socket.readyState !== WebSocket.OPEN) {
      return;
    }
    if (s.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.logger.warn(`device events: dropping a client of desk ${s.desk ?? '(all)'} that does not read`);
      s.socket.close(1013, 'client too slow');
      this.subscribers.delete(s);
      return;
    }
    s.socket.send(JSON.stringify(message));
  }

  private ping(): void {
    for (const s of this.subscribers) {
      if (!s.alive) {
        s.socket.terminate();
        this.subscribers.delete(s);
        continue;
      }
      s.alive = false;
      s.socket.ping();
    }
  }
}

function authorization(request: IncomingMessage): string | undefined {
  if (request.headers.authorization) {
    return request.headers.authorization;
  }
  const protocols = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const at = protocols.indexOf(KEY_SUBPROTOCOL);
  return at >= 0 && protocols[at + 1] ? `Bearer ${protocols[at + 1]}` : undefined;
}

/** The page's Origin names the host it connected to (scheme http or https). */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  if (!origin || !host) {
    return false;
  }
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Closes WebSockets as a stopping gateway must (the HTTP server's close waits for every connection):
 * each told it is going away (1001), cut when it has not closed within `graceMs`.
 */
export function closeGracefully(sockets: WebSocket[], graceMs = 1_000): Promise<void> {
  return Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) {
            return resolve();
          }
          const cut = setTimeout(() => socket.terminate(), graceMs);
          socket.once('close', () => {
            clearTimeout(cut);
            resolve();
          });
          socket.close(1001, 'gateway shutting down');
        }),
    ),
  ).then(() => undefined);
}

/** A refusal before the upgrade: a plain HTTP answer with the usual error body. */
export function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ code, message, correlationId: randomUUID() });
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

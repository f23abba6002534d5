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
import { DeviceRegistry } from '../../devices/device-registry';
import { closeGracefully, refuse, registerWebSocketPath } from '../../devices/device-events.socket';
import type { DeviceEvent } from '../../devices/device-events';
import type { AgentTestRead, AgentTestReader } from '../../devices/device-test-reads';
import { DeviceTestReads } from '../../devices/device-test-reads';
import { DEVICE_ERRORS } from '../../devices/devices.errors';
import { Clock, DomainError, Transactions } from '../../platform';
import { eventTime } from '../agent/journal/offline-policy';
import { AgentEvent } from '../agents.entity';
import { toAgentDeviceConfig } from '../agent/agent-devices';
import { AgentPresence } from '../agent-presence';
import { AgentRepository } from '../agent.repository';
import { AGENT_ERRORS, AGENT_MESSAGES } from '../agents.errors';
import { AgentsService, type AuthenticatedAgent } from '../agents.service';
import { decodeDeviceEvent, LinkEventError } from './event-codec';
import { judgeSequence } from './inbound-sequence';
import {
  AGENT_LINK_PATH,
  type AgentMessage,
  type CentreMessage,
  frame,
  LINK_PROTOCOL_VERSION,
  MAX_FRAME_BYTES,
  parseAgentMessage,
} from './link-messages';

/** The agent's first frame (hello) must come within this long. */
const HELLO_TIMEOUT_MS = 10_000;
/** Ping every this long; a link that did not answer the previous ping is closed. */
const PING_INTERVAL_MS = 30_000;
/** How much longer than the test read's own wait the centre waits for the agent's answer. */
const TEST_READ_GRACE_MS = 5_000;

interface Link {
  readonly socket: WebSocket;
  readonly agent: AuthenticatedAgent;
  readonly credential: string;
  welcomed: boolean;
  lastSeq: number;
  alive: boolean;
  /** Frames are handled one after the other, in the order they came. */
  queue: Promise<void>;
}

/** A test read sent to an agent, waiting for its `test-read-result`. */
interface PendingTestRead {
  readonly link: Link;
  readonly deviceId: string;
  readonly timer: NodeJS.Timeout;
  resolve(read: AgentTestRead): void;
  reject(error: Error): void;
}

/**
 * The centre's end of the agent link (docs/agents.md): `GET /api/v1/agents/link` upgraded to a
 * WebSocket, the agent's credential in `Authorization: Agent <credential>` (or Bearer), checked by
 * AgentsService.authenticate before the upgrade (refusals are plain HTTP answers with the error body).
 * Then: `hello` → `welcome` with the desk's devices and the last journal seq recorded; each `event`
 * passed on through DeviceRegistry.fromAgent as if the device were local — live ones at once,
 * durable ones (with a seq) exactly once and in order, acknowledged; the agent's devices are
 * disconnected when the link goes. One link per agent: a second one replaces the first. A revocation
 * or a move on this instance closes the agent's link at once; the ping re-checks the credential, so
 * another instance's revocation closes it within a ping interval. An `agent-status` is kept in
 * AgentPresence (an outage not reported before is logged). IT's test read of a device on a desk PC
 * (DeviceTestReads) is sent to a connected agent of that desk as `test-read` and answered by its
 * `test-read-result`.
 */
@Injectable()
export class AgentLinkSocket
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown, AgentTestReader
{
  private readonly logger = new Logger(AgentLinkSocket.name);
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly links = new Map<string, Link>();
  private readonly testReads = new Map<string, PendingTestRead>();
  private server: Server | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(request.url ?? '/', 'http://gateway').pathname === AGENT_LINK_PATH) {
      void this.accept(request, socket, head);
    }
  };
  private readonly onRevoked = (agentId: string): void =>
    this.close(agentId, 'AGENT_REVOKED', AGENT_ERRORS.message('AGENT_REVOKED'));
  private readonly onChanged = (agentId: string): void => {
    // Reconnecting, the agent is welcomed at its (new) desk with its devices.
    this.links.get(agentId)?.socket.close(1012, 'agent changed: reconnect');
  };

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly agents: AgentsService,
    private readonly repository: AgentRepository,
    private readonly presence: AgentPresence,
    private readonly registry: DeviceRegistry,
    private readonly clock: Clock,
    private readonly transactions: Transactions,
    private readonly deviceTestReads: DeviceTestReads,
  ) {
    registerWebSocketPath(AGENT_LINK_PATH);
  }

  onApplicationBootstrap(): void {
    this.deviceTestReads.useAgents(this);
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    this.presence.on('revoked', this.onRevoked);
    this.presence.on('changed', this.onChanged);
    this.pingTimer = setInterval(() => void this.ping(), PING_INTERVAL_MS).unref();
  }

  /**
   * Before the HTTP server closes (it waits for every connection): no more links, and each agent told
   * to reconnect later (1001); a link that has not closed within a second is cut. The agents come back
   * by themselves once the gateway is up again.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pingTimer);
    this.server?.off('upgrade', this.onUpgrade);
    await closeGracefully([...this.links.values()].map((link) => link.socket));
  }

  onApplicationShutdown(): void {
    clearInterval(this.pingTimer);
    this.server?.off('upgrade', this.onUpgrade);
    this.presence.off('revoked', this.onRevoked);
    this.presence.off('changed', this.onChanged);
    for (const link of this.links.values()) {
      link.socket.terminate();
    }
  }

  private async accept(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const header = request.headers.authorization ?? '';
    const credential = header.replace(/^(Agent|Bearer)\s+/i, '').trim();
    const address = request.socket.remoteAddress ?? null;
    let agent: AuthenticatedAgent;
    try {
      const auth = await this.agents.authenticate(credential, address);
      if (!auth.ok) {
        return refuse(socket, 401, auth.code, auth.message);
      }
      agent = auth.agent;
    } catch (e) {
      this.logger.error({ err: e }, 'agent link: authentication failed');
      return refuse(socket, 500, 'INTERNAL', '网关内部错误');
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.opened(ws, agent, credential));
  }

  private opened(socket: WebSocket, agent: AuthenticatedAgent, credential: string): void {
    const earlier = this.links.get(agent.id);
    if (earlier) {
      this.send(earlier, {
        type: 'refused',
        code: 'AGENT_LINK_REPLACED',
        message: AGENT_ERRORS.message('AGENT_LINK_REPLACED'),
      });
      earlier.socket.close(4409, 'replaced');
    }
    const link: Link = {
      socket,
      agent,
      credential,
      welcomed: false,
      lastSeq: 0,
      alive: true,
      queue: Promise.resolve(),
    };
    this.links.set(agent.id, link);
    this.presence.linked(agent.id, this.clock.now());
    const hello = setTimeout(() => {
      if (!link.welcomed) {
        this.protocolError(link, 'no hello within 10 s');
      }
    }, HELLO_TIMEOUT_MS).unref();
    socket.on('pong', () => {
      link.alive = true;
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      link.queue = link.queue
        .then(() => this.received(link, isBinary ? null : data))
        .catch((e: unknown) => {
          this.logger.error({ err: e }, `agent link ${agent.id}: a frame could not be handled`);
          socket.close(1011, 'internal error');
        });
    });
    socket.on('close', () => {
      clearTimeout(hello);
      this.abandonTestReads(link);
      if (this.links.get(agent.id) === link) {
        this.links.delete(agent.id);
        this.presence.unlinked(agent.id);
        this.registry.agentGone(agent.desk, this.clock.now(), '连接已关闭');
      }
    });
    socket.on('error', (e) => this.logger.warn(`agent link ${agent.id}: ${e.message}`));
  }

  private async received(link: Link, data: Buffer | null): Promise<void> {
    if (link.socket.readyState !== WebSocket.OPEN) {
      return;
    }
    const parsed =
      data === null ? { ok: false as const, problem: 'binary frames are not used' } : parseAgentMessage(data);
    if (!parsed.ok) {
      return this.protocolError(link, parsed.problem);
    }
    const message: AgentMessage = parsed.message;
    if (!link.welcomed) {
      if (message.type !== 'hello') {
        return this.protocolError(link, `the first frame must be hello, not ${message.type}`);
      }
      if (message.v !== LINK_PROTOCOL_VERSION) {
        return this.protocolError(link, `protocol version ${message.v}; this gateway speaks ${LINK_PROTOCOL_VERSION}`);
      }
      link.lastSeq = await this.repository.lastEventSeq(link.agent.id);
      link.welcomed = true;
      this.send(link, {
        type: 'welcome',
        v: LINK_PROTOCOL_VERSION,
        agentId: link.agent.id,
        desk: link.agent.desk,
        devices: this.registry.agentDevices(link.agent.desk).map(toAgentDeviceConfig),
        ackedSeq: link.lastSeq,
      });
      return;
    }
    switch (message.type) {
      case 'hello':
        return this.protocolError(link, 'hello only once');
      case 'pong':
        return;
      case 'agent-status':
        return this.status(link, message.status);
      case 'test-read-result':
        return this.testReadResult(link, message);
      case 'event':
        return this.event(link, message);
    }
  }

  private async event(link: Link, message: Extract<AgentMessage, { type: 'event' }>): Promise<void> {
    let event;
    try {
      event = decodeDeviceEvent(message.event, link.agent.desk);
    } catch (e) {
      if (e instanceof LinkEventError) {
        return this.protocolError(link, e.message);
      }
      throw e;
    }
    if (message.seq === null) {
      return this.passOn(link, event);
    }
    switch (judgeSequence(link.lastSeq, message.seq)) {
      case 'duplicate':
        this.send(link, { type: 'ack', upto: link.lastSeq });
        return;
      case 'gap':
        this.send(link, {
          type: 'refused',
          code: 'AGENT_LINK_GAP',
          message: `${AGENT_ERRORS.message('AGENT_LINK_GAP')}（已记录到 ${link.lastSeq}，收到 ${message.seq}）`,
        });
        link.socket.close(4409, 'sequence gap');
        return;
      case 'next':
        if (!(await this.recordDurable(link, message.seq, message.replayed, event))) {
          // Another link of this agent recorded it (it was replaced meanwhile): this one stops.
          link.socket.close(4409, 'replaced');
          return;
        }
        link.lastSeq = message.seq;
        this.passOn(link, event);
        this.send(link, { type: 'ack', upto: message.seq });
    }
  }

  /** The durable event stored with the agent's seq advanced, in one transaction (agent_event). */
  private recordDurable(link: Link, seq: number, replayed: boolean, event: DeviceEvent): Promise<boolean> {
    const scan = event.type === 'scan' ? event.scan : null;
    const row = Object.assign(new AgentEvent(), {
      agentId: link.agent.id,
      seq,
      desk: link.agent.desk,
      deviceId: event.deviceId,
      kind: scan ? scan.classification.kind : event.type,
      text: scan ? scan.text.slice(0, 512) : '',
      scannedAt: eventTime(event),
      receivedAt: this.clock.now(),
      replayed,
    });
    return this.transactions.run((m) => this.repository.recordDurableEvent(row, m));
  }

  private passOn(link: Link, event: Parameters<DeviceRegistry['fromAgent']>[1]): void {
    try {
      this.registry.fromAgent(link.agent.desk, event);
    } catch (e) {
      if (e instanceof DomainError) {
        // A device this desk does not have on its agent: said to the agent, the link stays.
        this.logger.warn(`agent link ${link.agent.id}: ${e.userMessage}`);
        return;
      }
      throw e;
    }
  }

  private status(link: Link, status: Extract<AgentMessage, { type: 'agent-status' }>['status']): void {
    if (this.presence.reported(link.agent.id, status, this.clock.now()) && status.lastOutage !== null) {
      const o = status.lastOutage;
      this.logger.log(
        `agent ${link.agent.id} (${link.agent.desk}) was cut off from ${o.from} to ${o.to}: ` +
          `${o.replayedReads} reads replayed, ${o.droppedReads} dropped; ${status.bufferedScans} scans still buffered`,
      );
    }
  }

  /**
   * A test read on a device of `desk`'s agent (DeviceTestReads): sent to a connected agent of that
   * desk, answered by its test-read-result, or refused when none is connected, the agent fails, the
   * link goes or no answer comes within the wait and a grace period.
   */
  testRead(desk: string, deviceId: string, waitMs: number): Promise<AgentTestRead> {
    const link = [...this.links.values()].find(
      (l) => l.welcomed && l.agent.desk === desk && l.socket.readyState === WebSocket.OPEN,
    );
    if (link === undefined) {
      return Promise.reject(AGENT_ERRORS.raise('AGENT_NOT_CONNECTED', { message: AGENT_MESSAGES.notConnected(desk) }));
    }
    const requestId = randomUUID();
    return new Promise<AgentTestRead>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.testReads.delete(requestId);
        const seconds = Math.ceil((waitMs + TEST_READ_GRACE_MS) / 1000);
        reject(
          AGENT_ERRORS.raise('AGENT_TEST_READ_TIMEOUT', { message: AGENT_MESSAGES.testReadTimeout(desk, seconds) }),
        );
      }, waitMs + TEST_READ_GRACE_MS);
      this.testReads.set(requestId, { link, deviceId, timer, resolve, reject });
      this.send(link, { type: 'test-read', requestId, deviceId, waitMs });
    });
  }

  private testReadResult(link: Link, message: Extract<AgentMessage, { type: 'test-read-result' }>): void {
    const pending = this.testReads.get(message.requestId);
    if (pending === undefined || pending.link !== link) {
      // Answered after the centre stopped waiting (or not asked of this link): nobody to tell.
      this.logger.warn(`agent link ${link.agent.id}: a test-read-result for no pending test read`);
      return;
    }
    this.testReads.delete(message.requestId);
    clearTimeout(pending.timer);
    const { desk } = link.agent;
    if (!message.ok) {
      const said = message.message.trim() || '（代理没有说明原因）';
      return pending.reject(
        DEVICE_ERRORS.raise('DEVICE_TEST_READ_FAILED', {
          message: `工作站「${desk}」的桌面代理未能测试读取设备「${pending.deviceId}」：${said}`,
        }),
      );
    }
    if (message.event === null) {
      return pending.resolve({ agentId: link.agent.id, event: null });
    }
    let event;
    try {
      event = decodeDeviceEvent(message.event, desk);
    } catch (e) {
      if (!(e instanceof LinkEventError)) {
        throw e;
      }
      this.logger.warn(`agent link ${link.agent.id}: test-read-result: ${e.message}`);
      return pending.reject(
        DEVICE_ERRORS.raise('DEVICE_TEST_READ_FAILED', {
          message: `工作站「${desk}」的桌面代理返回的读数无法识别（${e.message}）：请将该代理升级到与网关相同的版本`,
        }),
      );
    }
    if (event.deviceId !== pending.deviceId) {
      return pending.reject(
        DEVICE_ERRORS.raise('DEVICE_TEST_READ_FAILED', {
          message: `工作站「${desk}」的桌面代理返回的是设备「${event.deviceId}」的读数，而不是「${pending.deviceId}」：请将该代理升级到与网关相同的版本`,
        }),
      );
    }
    pending.resolve({ agentId: link.agent.id, event });
  }

  /** The link went: its test reads will get no answer. */
  private abandonTestReads(link: Link): void {
    for (const [requestId, pending] of this.testReads) {
      if (pending.link === link) {
        this.testReads.delete(requestId);
        clearTimeout(pending.timer);
        pending.reject(
          AGENT_ERRORS.raise('AGENT_NOT_CONNECTED', { message: AGENT_MESSAGES.goneDuringTestRead(link.agent.desk) }),
        );
      }
    }
  }

  private protocolError(link: Link, problem: string): void {
    this.logger.warn(`agent link ${link.agent.id} (${link.agent.desk}): ${problem}`);
    this.send(link, {
      type: 'refused',
      code: 'AGENT_LINK_PROTOCOL',
      message: `${AGENT_ERRORS.message('AGENT_LINK_PROTOCOL')}：${problem}`,
    });
    link.socket.close(1002, 'protocol error');
  }

  private close(agentId: string, code: string, message: string): void {
    const link = this.links.get(agentId);
    if (link) {
      this.send(link, { type: 'refused', code, message });
      link.socket.close(4401, code);
    }
  }

  /** Ping; a link that did not answer the last one, or whose credential no longer holds, is closed. */
  private async ping(): Promise<void> {
    for (const link of [...this.links.values()]) {
      if (!link.alive) {
        link.socket.terminate();
        continue;
      }
      const auth = await this.agents.authenticate(link.credential, null);
      if (!auth.ok) {
        this.close(link.agent.id, auth.code, auth.message);
        continue;
      }
      link.alive = false;
      link.socket.ping();
    }
  }

  private send(link: Link, message: CentreMessage): void {
    if (link.socket.readyState === WebSocket.OPEN) {
      link.socket.send(frame(message));
    }
  }
}

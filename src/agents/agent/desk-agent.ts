import { hostname, platform } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { DeviceEvent } from '../../devices/device-events';
import { encodeDeviceEvent, type LinkValue } from '../link/event-codec';
import { reconnectDelayMs } from '../link/inbound-sequence';
import {
  AGENT_LINK_PATH,
  type AgentMessage,
  type AgentReportedStatus,
  type CentreMessage,
  frame,
  LINK_PROTOCOL_VERSION,
  MAX_FRAME_BYTES,
  parseCentreMessage,
} from '../link/link-messages';
import type { AgentCredentialFile } from './agent-credentials';
import { AgentDevices, type AppliedConfig } from './agent-devices';
import { lockDataDir } from './agent-lock';
import type { AgentSettings } from './agent-settings';
import type { AgentLocalSource, AgentStatusView, LinkState, LocalRead } from './agent-state';
import { EventJournal } from './journal/event-journal';
import { JournalFullError } from './journal/journal.errors';
import { OfflinePolicy } from './journal/offline-policy';
import { LocalReads, type LocalReadQuery } from './local-reads';
import { StatusFile } from './status-file';

/** The agent's status for `gateway agent status`, in its data directory. */
export const STATUS_FILE = 'status.json';
/** Durable events sent and not yet acknowledged, at most. */
const SEND_WINDOW = 256;
/** The centre pings every 30 s: a link silent for this long is dead (a cable pulled, a NAT forgot it). */
const SILENCE_MS = 75_000;
/** The centre refused the credential itself: trying again cannot help until IT enrols the agent again. */
const FINAL_REFUSALS = new Set(['AGENT_REVOKED', 'AGENT_UNKNOWN']);

/** pino fits as it is. */
export interface AgentLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface DeskAgentOptions {
  dataDir: string;
  settings: AgentSettings;
  credential: AgentCredentialFile;
  agentVersion: string;
  logger: AgentLogger;
  /** The hospital's CA for a wss:// centre whose certificate no public CA signed (settings.caFile, read). */
  ca?: Buffer;
  /** Secret of the sandbox insurer's HSM (sandbox agents with simulated 3rd-generation cards). */
  sandboxHsmSecret?: string;
  now?: () => Date;
  random?: () => number;
}

/**
 * The desk agent (docs/agents.md): runs the desk's devices as the centre configures them and forwards
 * their events over the link. Trace-code scans go through the journal (fsynced, delivered exactly once
 * in seq order, removed when the centre acknowledges them); card and ID reads and statuses are sent
 * live, held by the OfflinePolicy while the link is down and replayed on reconnect only while fresh.
 * The link reconnects by itself with full-jitter backoff; a credential the centre refuses (revoked,
 * unknown) stops the attempts. One agent per data directory (agent.lock).
 */
export class DeskAgent implements AgentLocalSource {
  private readonly startedAt: Date;
  private readonly policy: OfflinePolicy;
  private devices: AgentDevices;
  private desk: string;
  private socket: WebSocket | null = null;
  private linkState: LinkState = 'connecting';
  private linkSince: Date;
  private attempts = 0;
  private nextAttemptAt: Date | null = null;
  private lastError: string | null = null;
  private refusedCode: string | null = null;
  private pendingRefusal: { code: string; message: string } | null = null;
  private welcomed = false;
  /** Highest durable seq sent on this link. */
  private sentThrough = 0;
  /** The journal's last seq when the link came up: records up to it were made while offline. */
  private seqAtOnline = 0;
  /** Highest seq the centre acknowledged (the journal follows, coalesced). */
  private centreAcked = 0;
  private acking: Promise<void> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private readonly statusFile: StatusFile;
  private reportTimer: NodeJS.Timeout | null = null;
  private lastReport = '';
  private lastOutage: AgentReportedStatus['lastOutage'] = null;
  private appended: Promise<unknown> = Promise.resolve();
  private refusedDevices: AppliedConfig['refused'] = [];
  private readonly localReads = new LocalReads(() => this.now());
  private stopped = false;

  private constructor(
    private readonly options: DeskAgentOptions,
    private readonly journal: EventJournal<LinkValue>,
    private readonly release: () => Promise<void>,
  ) {
    const now = this.now();
    this.startedAt = now;
    this.linkSince = now;
    this.desk = options.credential.desk;
    this.policy = new OfflinePolicy({ maxReadAgeMs: options.settings.maxReadAgeMs });
    // Not linked yet: reads made before the first welcome are held like offline ones.
    this.policy.linkDown(now);
    this.devices = this.newDevices(this.desk);
    this.statusFile = new StatusFile(
      join(options.dataDir, STATUS_FILE),
      () => this.status(),
      (message, err) => options.logger.warn({ err }, message),
    );
  }

  /** Takes the data directory, opens the journal, starts connecting. */
  static async start(options: DeskAgentOptions): Promise<DeskAgent> {
    const release = await lockDataDir(options.dataDir);
    let journal: EventJournal<LinkValue>;
    try {
      journal = await EventJournal.open<LinkValue>(join(options.dataDir, 'journal'), {
        maxRecords: options.settings.journalMaxRecords,
        maxBytes: options.settings.journalMaxBytes,
        logger: options.logger,
      });
    } catch (e) {
      await release();
      throw e;
    }
    const agent = new DeskAgent(options, journal, release);
    const stats = journal.stats();
    options.logger.info(
      {
        agentId: options.credential.agentId,
        desk: options.credential.desk,
        central: options.settings.central,
        bufferedScans: stats.pendingRecords,
        lastSeq: stats.lastSeq,
      },
      `desk agent starting (${stats.pendingRecords} scans waiting in the journal)`,
    );
    agent.statusFile.start();
    agent.connect();
    return agent;
  }

  /** The running devices' simulation controls (simulated devices in the sandbox and in tests). */
  simulation(deviceId: string): ReturnType<AgentDevices['simulation']> {
    return this.devices.simulation(deviceId);
  }

  status(): AgentStatusView {
    const stats = this.journal.stats();
    return {
      pid: process.pid,
      agentVersion: this.options.agentVersion,
      startedAt: this.startedAt.toISOString(),
      updatedAt: this.now().toISOString(),
      central: this.options.settings.central,
      agentId: this.options.credential.agentId,
      desk: this.desk,
      name: this.options.credential.name,
      link: {
        state: this.linkState,
        since: this.linkSince.toISOString(),
        attempts: this.attempts,
        nextAttemptAt: this.nextAttemptAt?.toISOString() ?? null,
        lastError: this.lastError,
        refusedCode: this.refusedCode,
      },
      offline: this.policy.status(stats),
      devices: this.devices.status().map((d) => ({
        id: d.id,
        kind: d.kind,
        path: d.path,
        state: d.status.state,
        message: d.status.message,
        at: d.status.at.toISOString(),
      })),
      refusedDevices: this.refusedDevices,
      journal: {
        pendingRecords: stats.pendingRecords,
        lastSeq: stats.lastSeq,
        ackedThrough: stats.ackedThrough,
        fill: stats.fill,
      },
    };
  }

  /** The localhost reader service's read (LocalReads). */
  read(query: LocalReadQuery): Promise<LocalRead | null> {
    return this.localReads.read(query);
  }

  /** Stops devices and the link, waits for journal writes, writes the last status, releases the directory. */
  async stop(): Promise<void> {
    if (this.stopped) {
      return;
    }
    this.stopped = true;
    for (const t of [this.reconnectTimer, this.silenceTimer, this.reportTimer]) {
      if (t) {
        clearTimeout(t);
      }
    }
    this.socket?.close(1001, 'agent stopping');
    await this.devices.stop();
    await this.appended.catch(() => undefined);
    await (this.acking ?? Promise.resolve()).catch(() => undefined);
    this.socket?.terminate();
    await this.journal.close();
    await this.statusFile.stop();
    await this.release();
    this.options.logger.info({}, 'desk agent stopped');
  }

  // ---- devices ------------------------------------------------------------------------------

  private newDevices(desk: string): AgentDevices {
    return new AgentDevices(desk, (event) => this.onDeviceEvent(event), {
      sandboxHsmSecret: this.options.sandboxHsmSecret,
    });
  }

  private onDeviceEvent(event: DeviceEvent): void {
    if (event.type !== 'status') {
      this.localReads.record(event);
    }
    this.markStatus();
    switch (this.policy.route(event)) {
      case 'journal':
        this.appendScan(event);
        return;
      case 'send':
        this.sendLive(event, false);
        return;
      case 'held':
        return;
    }
  }

  private appendScan(event: DeviceEvent): void {
    const appending = this.journal.append(encodeDeviceEvent(event)).then(
      () => this.pump(),
      (e: unknown) => {
        if (e instanceof JournalFullError) {
          this.options.logger.error(
            { deviceId: event.deviceId, code: e.code },
            '离线缓存已满：本次扫码未能保存，请联系信息科 (the journal is full: the scan was not kept)',
          );
        } else {
          this.options.logger.error(
            { deviceId: event.deviceId, err: (e as Error).message },
            'a scan could not be written to the journal: it was not kept',
          );
        }
        this.markStatus();
      },
    );
    this.appended = appending;
  }

  private sendLive(event: DeviceEvent, replayed: boolean): void {
    let encoded: LinkValue;
    try {
      encoded = encodeDeviceEvent(event);
    } catch (e) {
      this.options.logger.warn({ deviceId: event.deviceId, err: (e as Error).message }, 'an event cannot be sent');
      return;
    }
    const ok = this.send({ type: 'event', seq: null, replayed, event: encoded });
    if (!ok) {
      // The link dropped under us: hold it like any event made offline.
      this.linkLost('the link closed while sending');
      this.policy.route(event);
    }
  }

  // ---- the link -----------------------------------------------------------------------------

  private connect(): void {
    if (this.stopped) {
      return;
    }
    this.reconnectTimer = null;
    this.nextAttemptAt = null;
    // The first attempt shows `connecting`; after a failure the agent stays `offline` while it retries.
    this.welcomed = false;
    this.pendingRefusal = null;
    const url = `${this.options.settings.central.replace(/\/+$/, '')}${AGENT_LINK_PATH}`;
    const socket = new WebSocket(url, {
      headers: { authorization: `Agent ${this.options.credential.credential}` },
      handshakeTimeout: 10_000,
      maxPayload: MAX_FRAME_BYTES,
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
    this.socket = socket;
    socket.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: { code?: unknown; message?: unknown } = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        } catch {
          body = {};
        }
        const code = typeof body.code === 'string' ? body.code : `HTTP_${res.statusCode}`;
        const message = typeof body.message === 'string' ? body.message : `HTTP ${res.statusCode}`;
        this.pendingRefusal = { code, message };
        socket.terminate();
        this.closed(socket, `the centre answered ${res.statusCode}: ${code} ${message}`);
      });
    });
    socket.on('open', () => {
      this.heard();
      this.send({
        type: 'hello',
        v: LINK_PROTOCOL_VERSION,
        agentVersion: this.options.agentVersion,
        hostname: hostname().slice(0, 255),
        platform: platform(),
      });
    });
    socket.on('ping', () => this.heard());
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.heard();
      if (isBinary) {
        return this.options.logger.warn({}, 'the centre sent a binary frame: ignored');
      }
      const parsed = parseCentreMessage(data);
      if (!parsed.ok) {
        this.options.logger.warn({ problem: parsed.problem }, 'the centre sent a frame this agent does not understand');
        return;
      }
      void this.received(parsed.message).catch((e: unknown) => {
        this.options.logger.error({ err: (e as Error).message }, 'a frame from the centre could not be handled');
        socket.close(1011, 'agent error');
      });
    });
    socket.on('error', (e) => {
      this.lastError = e.message;
    });
    socket.on('close', (code, reason) => {
      this.closed(socket, `link closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
    });
  }

  private async received(message: CentreMessage): Promise<void> {
    switch (message.type) {
      case 'welcome':
        return this.welcome(message);
      case 'ack':
        this.centreAcked = Math.max(this.centreAcked, message.upto);
        this.followAcks();
        return;
      case 'config':
        return this.applyConfig(message.devices);
      case 'test-read':
        return this.testRead(message);
      case 'ping':
        this.send({ type: 'pong', at: this.now().toISOString() });
        return;
      case 'refused':
        this.pendingRefusal = { code: message.code, message: message.message };
        this.options.logger.warn({ code: message.code }, `the centre refused: ${message.message}`);
        return;
    }
  }

  private async welcome(message: Extract<CentreMessage, { type: 'welcome' }>): Promise<void> {
    if (message.desk !== this.desk) {
      this.options.logger.info({ from: this.desk, to: message.desk }, 'the centre moved this agent to another desk');
      await this.devices.stop();
      this.desk = message.desk;
      this.devices = this.newDevices(this.desk);
    }
    await this.reconcileJournal(message.ackedSeq);
    await this.applyConfig(message.devices);
    this.welcomed = true;
    this.attempts = 0;
    this.lastError = null;
    this.refusedCode = null;
    this.setState('online');
    const now = this.now();
    const reconnect = this.policy.linkUp(now);
    // What the devices are now (the centre marked them disconnected when the link went), then the
    // reads still fresh, marked replayed, then the journal's backlog from the centre's last seq.
    for (const d of this.devices.status()) {
      this.sendLive({ type: 'status', deviceId: d.id, desk: this.desk, status: d.status }, false);
    }
    if (reconnect) {
      for (const read of reconnect.reads) {
        this.sendLive(read, true);
      }
      if (reconnect.offlineMs > 0 && this.startedAt.getTime() !== Date.parse(reconnect.offlineSince)) {
        this.lastOutage = {
          from: reconnect.offlineSince,
          to: now.toISOString(),
          replayedReads: reconnect.reads.length,
          droppedReads: reconnect.dropped.stale + reconnect.dropped.superseded,
        };
        this.options.logger.info(
          { ...this.lastOutage, bufferedScans: this.journal.stats().pendingRecords },
          'link to the centre is back',
        );
      }
    }
    this.options.logger.info(
      { agentId: message.agentId, desk: message.desk, ackedSeq: message.ackedSeq },
      'welcomed by the centre',
    );
    this.report(true);
    this.pump();
  }

  /** Lines the journal up with what the centre holds (welcome's ackedSeq). */
  private async reconcileJournal(ackedSeq: number): Promise<void> {
    const stats = this.journal.stats();
    if (ackedSeq > stats.lastSeq) {
      if (stats.pendingRecords > 0) {
        this.options.logger.error(
          { ackedSeq, lastSeq: stats.lastSeq, pending: stats.pendingRecords },
          'the centre holds more events than this journal ever wrote (the journal was replaced): ' +
            `the ${stats.pendingRecords} pending scans carry seqs the centre already has and cannot be delivered`,
        );
        await this.journal.ack(stats.lastSeq);
      }
      this.options.logger.warn({ ackedSeq, lastSeq: stats.lastSeq }, 'journal fast-forwarded to the centre’s seq');
      await this.journal.fastForward(ackedSeq);
    } else if (ackedSeq < stats.ackedThrough) {
      this.options.logger.error(
        { ackedSeq, ackedThrough: stats.ackedThrough },
        'the centre holds fewer events than it acknowledged (its database restored from a backup?): ' +
          `seqs ${ackedSeq + 1}–${stats.ackedThrough} are gone from this journal; IT must settle it at the centre`,
      );
    } else {
      await this.journal.ack(ackedSeq);
    }
    this.centreAcked = Math.max(ackedSeq, this.journal.stats().ackedThrough);
    this.sentThrough = this.centreAcked;
  }

  private async applyConfig(configs: Extract<CentreMessage, { type: 'config' }>['devices']): Promise<void> {
    const applied = await this.devices.apply(configs);
    this.refusedDevices = applied.refused;
    for (const r of applied.refused) {
      this.options.logger.error({ deviceId: r.id, problem: r.problem }, 'a device from the centre cannot run here');
    }
    if (applied.started.length + applied.stopped.length + applied.restarted.length > 0) {
      this.options.logger.info(
        { started: applied.started, stopped: applied.stopped, restarted: applied.restarted },
        'devices configured by the centre',
      );
    }
    this.markStatus();
  }

  private async testRead(message: Extract<CentreMessage, { type: 'test-read' }>): Promise<void> {
    try {
      const event = await this.devices.testRead(message.deviceId, message.waitMs);
      this.send({
        type: 'test-read-result',
        requestId: message.requestId,
        ok: true,
        event: event ? encodeDeviceEvent(event) : null,
        message: event ? '' : `${Math.round(message.waitMs / 1000)} 秒内未读到卡或条码`,
      });
    } catch (e) {
      this.send({
        type: 'test-read-result',
        requestId: message.requestId,
        ok: false,
        event: null,
        message: (e as Error).message.slice(0, 500),
      });
    }
  }

  /** Sends the journal's unacknowledged records after the last one sent, up to the window. */
  private pump(): void {
    if (!this.welcomed || this.socket?.readyState !== WebSocket.OPEN) {
      return;
    }
    for (const record of this.journal.pending(SEND_WINDOW)) {
      if (record.seq <= this.sentThrough) {
        continue;
      }
      // A record appended before this link came up was made while offline: sent as replayed.
      if (
        !this.send({ type: 'event', seq: record.seq, replayed: record.seq <= this.seqAtOnline, event: record.event })
      ) {
        return;
      }
      this.sentThrough = record.seq;
    }
    this.report(false);
  }

  /** Acknowledges in the journal up to what the centre acknowledged, one write at a time (coalesced). */
  private followAcks(): void {
    if (this.acking) {
      return;
    }
    this.acking = (async () => {
      while (this.journal.stats().ackedThrough < this.centreAcked) {
        const upto = Math.min(this.centreAcked, this.journal.stats().lastSeq);
        if (upto <= this.journal.stats().ackedThrough) {
          break;
        }
        await this.journal.ack(upto);
      }
    })()
      .catch((e: unknown) => {
        this.options.logger.error({ err: (e as Error).message }, 'the journal could not record an acknowledgement');
      })
      .finally(() => {
        this.acking = null;
        this.markStatus();
        this.pump();
      });
  }

  private closed(socket: WebSocket, why: string): void {
    if (socket !== this.socket) {
      return;
    }
    this.socket = null;
    if (this.silenceTimer) {
      clearTimeout(this.silenceTimer);
      this.silenceTimer = null;
    }
    const refusal = this.pendingRefusal;
    this.pendingRefusal = null;
    this.linkLost(refusal ? `${refusal.code}: ${refusal.message}` : why);
    if (this.stopped) {
      return;
    }
    if (refusal && FINAL_REFUSALS.has(refusal.code)) {
      this.refusedCode = refusal.code;
      this.setState('refused');
      this.options.logger.error(
        { code: refusal.code },
        `the centre refuses this agent (${refusal.message}): no more attempts — enrol it again with a new code ` +
          '(gateway agents enroll at the centre, then gateway agent --enrol <code> here)',
      );
      void this.devices.stop();
      this.markStatus();
      return;
    }
    this.attempts++;
    const delay = reconnectDelayMs(
      this.attempts,
      { baseMs: this.options.settings.reconnectBaseMs, maxMs: this.options.settings.reconnectMaxMs },
      this.options.random,
    );
    this.nextAttemptAt = new Date(this.now().getTime() + delay);
    this.options.logger.warn(
      { attempt: this.attempts, retryInMs: delay, reason: this.lastError },
      'no link to the centre: trying again',
    );
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
    this.markStatus();
  }

  /** The link is down (once per outage): the policy holds reads and statuses from now on. */
  private linkLost(reason: string): void {
    this.lastError = reason;
    if (this.welcomed) {
      this.welcomed = false;
      this.policy.linkDown(this.now());
      this.setState('offline');
      this.options.logger.warn({ reason }, '与中心的连接已断开 (link to the centre lost)');
    } else if (this.linkState !== 'refused') {
      this.setState('offline');
    }
  }

  private heard(): void {
    if (this.silenceTimer) {
      clearTimeout(this.silenceTimer);
    }
    const socket = this.socket;
    this.silenceTimer = setTimeout(() => {
      this.lastError = `no word from the centre for ${SILENCE_MS / 1000} s`;
      socket?.terminate();
    }, SILENCE_MS);
    this.silenceTimer.unref();
  }

  private send(message: AgentMessage): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return false;
    }
    socket.send(frame(message));
    return true;
  }

  private setState(state: LinkState): void {
    if (state !== this.linkState) {
      this.linkState = state;
      this.linkSince = this.now();
      if (state === 'online') {
        this.seqAtOnline = this.journal.stats().lastSeq;
      }
      this.markStatus();
    }
  }

  // ---- status -------------------------------------------------------------------------------

  /** Tells the centre the agent's figures when they changed (at most once a second), or now. */
  private report(now: boolean): void {
    const send = (): void => {
      this.reportTimer = null;
      const stats = this.journal.stats();
      const status: AgentReportedStatus = {
        bufferedScans: stats.pendingRecords,
        journalFillPercent: Math.round(stats.fill * 1000) / 10,
        droppedReads: this.policy.status(stats).droppedReads,
        lastOutage: this.lastOutage,
        startedAt: this.startedAt.toISOString(),
      };
      const text = JSON.stringify(status);
      if (text !== this.lastReport && this.send({ type: 'agent-status', status })) {
        this.lastReport = text;
      }
    };
    if (now) {
      this.lastReport = '';
      send();
    } else if (!this.reportTimer) {
      this.reportTimer = setTimeout(send, 1_000);
      this.reportTimer.unref();
    }
  }

  /** status.json follows the agent's state; the centre hears of a change too once welcomed. */
  private markStatus(): void {
    if (this.statusFile.mark() && this.welcomed) {
      this.report(false);
    }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

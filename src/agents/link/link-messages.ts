import type { LinkValue } from './event-codec';

/**
 * The messages of the agent link: one JSON object per WebSocket text frame, `type` first. The agent
 * authenticates at the upgrade (its credential in the Authorization header), so every frame after it
 * is already the agent's. Version 1.
 *
 * agent → centre
 * - `hello`: who is speaking (version, host, platform) — the first frame.
 * - `event`: a device event (`event`, encoded by event-codec). Durable ones (trace-code scans from the
 *   journal) carry the journal's `seq`; live ones (card reads, status) carry `seq: null`. `replayed`:
 *   sent after a cut, with its original time inside the event.
 * - `test-read-result`: the answer to a `test-read` the centre asked for.
 * - `agent-status`: the agent's own state (buffered scans, reads held or dropped, the last outage),
 *   sent after the welcome and whenever it changes, so the centre shows what the desk PC shows.
 * - `pong`.
 *
 * centre → agent
 * - `welcome`: the agent's id and desk, its devices, and `ackedSeq` — the last journal seq the centre
 *   holds for this agent, so the agent resends only what follows it (exactly once after a cut).
 * - `ack`: the centre has durably recorded every durable event up to `upto`.
 * - `config`: the agent's devices changed (sent whenever IT changes them).
 * - `test-read`: open one device and wait up to `waitMs` for a card or a scan.
 * - `ping`.
 * - `refused`: why the centre is closing the link (`code`, Chinese `message`), e.g. AGENT_REVOKED.
 */
export const LINK_PROTOCOL_VERSION = 1;

/** Where the link is: the path on the central gateway's own port, upgraded to a WebSocket. */
export const AGENT_LINK_PATH = '/api/v1/agents/link';

/** The largest frame either side accepts (an ID-card read with its photo is about 2 KB). */
export const MAX_FRAME_BYTES = 256 * 1024;

export type AgentMessage =
  | { type: 'hello'; v: number; agentVersion: string; hostname: string; platform: string }
  | { type: 'event'; seq: number | null; replayed: boolean; event: LinkValue }
  | { type: 'test-read-result'; requestId: string; ok: boolean; event: LinkValue | null; message: string }
  | { type: 'agent-status'; status: AgentReportedStatus }
  | { type: 'pong'; at: string };

/** The agent's state as it reports it to the centre (`agent-status`). */
export interface AgentReportedStatus {
  /** Trace-code scans in the agent's journal the centre has not acknowledged. */
  bufferedScans: number;
  /** How full the journal is, 0…100 (100: the agent refuses new scans). */
  journalFillPercent: number;
  /** Reads never delivered since the agent started (too old at reconnect, or superseded). */
  droppedReads: number;
  /** The last time the link was down, as the agent saw it; null when it has not been down since it started. */
  lastOutage: {
    from: string;
    to: string;
    /** Reads made during the outage and replayed (younger than maxReadAgeMs), marked replayed. */
    replayedReads: number;
    /** Reads made during the outage and not delivered. */
    droppedReads: number;
  } | null;
  /** When the agent process started (ISO). */
  startedAt: string;
}

/** A device as the centre configures it on an agent: its id and its driver options, as in the config file. */
export interface AgentDeviceConfig {
  readonly id: string;
  readonly kind: string;
  readonly options: Record<string, LinkValue>;
}

export type CentreMessage =
  | { type: 'welcome'; v: number; agentId: string; desk: string; devices: AgentDeviceConfig[]; ackedSeq: number }
  | { type: 'ack'; upto: number }
  | { type: 'config'; devices: AgentDeviceConfig[] }
  | { type: 'test-read'; requestId: string; deviceId: string; waitMs: number }
  | { type: 'ping'; at: string }
  | { type: 'refused'; code: string; message: string };

export type Parsed<T> = { ok: true; message: T } | { ok: false; problem: string };

/** One frame from an agent, checked field by field; never throws. */
export function parseAgentMessage(frame: string | Buffer): Parsed<AgentMessage> {
  return parse(frame, (o) => {
    switch (o.type) {
      case 'hello':
        return {
          type: 'hello',
          v: int(o.v, 'v', 1),
          agentVersion: text(o.agentVersion, 'agentVersion', 40),
          hostname: text(o.hostname, 'hostname', 255),
          platform: text(o.platform, 'platform', 40),
        };
      case 'event':
        if (o.event === undefined || o.event === null || typeof o.event !== 'object') {
          throw new Error('event: missing');
        }
        return {
          type: 'event',
          seq: o.seq === null || o.seq === undefined ? null : int(o.seq, 'seq', 1),
          replayed: o.replayed === true,
          event: o.event as LinkValue,
        };
      case 'test-read-result':
        return {
          type: 'test-read-result',
          requestId: text(o.requestId, 'requestId', 64),
          ok: o.ok === true,
          event: (o.event ?? null) as LinkValue | null,
          message: text(o.message ?? '', 'message', 500),
        };
      case 'agent-status':
        return { type: 'agent-status', status: reportedStatus(o.status) };
      case 'pong':
        return { type: 'pong', at: text(o.at, 'at', 40) };
      default:
        throw new Error(`type: not a message an agent sends (${String(o.type)})`);
    }
  });
}

/** One frame from the centre, checked field by field; never throws. */
export function parseCentreMessage(frame: string | Buffer): Parsed<CentreMessage> {
  return parse(frame, (o) => {
    switch (o.type) {
      case 'welcome':
        return {
          type: 'welcome',
          v: int(o.v, 'v', 1),
          agentId: text(o.agentId, 'agentId', 64),
          desk: text(o.desk, 'desk', 40),
          devices: devices(o.devices),
          ackedSeq: int(o.ackedSeq, 'ackedSeq', 0),
        };
      case 'ack':
        return { type: 'ack', upto: int(o.upto, 'upto', 0) };
      case 'config':
        return { type: 'config', devices: devices(o.devices) };
      case 'test-read':
        return {
          type: 'test-read',
          requestId: text(o.requestId, 'requestId', 64),
          deviceId: text(o.deviceId, 'deviceId', 64),
          waitMs: int(o.waitMs, 'waitMs', 0),
        };
      case 'ping':
        return { type: 'ping', at: text(o.at, 'at', 40) };
      case 'refused':
        return { type: 'refused', code: text(o.code, 'code', 64), message: text(o.message, 'message', 500) };
      default:
        throw new Error(`type: not a message the centre sends (${String(o.type)})`);
    }
  });
}

export function frame(message: AgentMessage | CentreMessage): string {
  return JSON.stringify(message);
}

function parse<T>(frameData: string | Buffer, read: (o: Record<string, unknown>) => T): Parsed<T> {
  const size = typeof frameData === 'string' ? Buffer.byteLength(frameData) : frameData.length;
  if (size > MAX_FRAME_BYTES) {
    return { ok: false, problem: `frame of ${size} bytes is over the ${MAX_FRAME_BYTES}-byte limit` };
  }
  let o: unknown;
  try {
    o = JSON.parse(typeof frameData === 'string' ? frameData : frameData.toString('utf8'));
  } catch {
    return { ok: false, problem: 'frame is not JSON' };
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    return { ok: false, problem: 'frame is not a JSON object' };
  }
  try {
    return { ok: true, message: read(o as Record<string, unknown>) };
  } catch (e) {
    return { ok: false, problem: (e as Error).message };
  }
}

function int(v: unknown, field: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new Error(`${field}: not a whole number ≥ ${min}`);
  }
  return v;
}

function text(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.length > max) {
    throw new Error(`${field}: not a string of at most ${max} characters`);
  }
  return v;
}

function isoTime(v: unknown, field: string): string {
  const t = text(v, field, 40);
  if (Number.isNaN(Date.parse(t))) {
    throw new Error(`${field}: not an ISO time`);
  }
  return t;
}

function reportedStatus(v: unknown): AgentReportedStatus {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error('status: not an object');
  }
  const o = v as Record<string, unknown>;
  const fill = o.journalFillPercent;
  if (typeof fill !== 'number' || !Number.isFinite(fill) || fill < 0 || fill > 100) {
    throw new Error('status.journalFillPercent: not a number from 0 to 100');
  }
  let lastOutage: AgentReportedStatus['lastOutage'] = null;
  if (o.lastOutage !== null && o.lastOutage !== undefined) {
    if (typeof o.lastOutage !== 'object' || Array.isArray(o.lastOutage)) {
      throw new Error('status.lastOutage: not an object');
    }
    const out = o.lastOutage as Record<string, unknown>;
    lastOutage = {
      from: isoTime(out.from, 'status.lastOutage.from'),
      to: isoTime(out.to, 'status.lastOutage.to'),
      replayedReads: int(out.replayedReads, 'status.lastOutage.replayedReads', 0),
      droppedReads: int(out.droppedReads, 'status.lastOutage.droppedReads', 0),
    };
  }
  return {
    bufferedScans: int(o.bufferedScans, 'status.bufferedScans', 0),
    journalFillPercent: fill,
    droppedReads: int(o.droppedReads, 'status.droppedReads', 0),
    lastOutage,
    startedAt: isoTime(o.startedAt, 'status.startedAt'),
  };
}

function devices(v: unknown): AgentDeviceConfig[] {
  if (!Array.isArray(v) || v.length > 32) {
    throw new Error('devices: not a list of at most 32 devices');
  }
  return v.map((d: unknown, i) => {
    if (d === null || typeof d !== 'object' || Array.isArray(d)) {
      throw new Error(`devices[${i}]: not an object`);
    }
    const o = d as Record<string, unknown>;
    if (o.options === null || typeof o.options !== 'object' || Array.isArray(o.options)) {
      throw new Error(`devices[${i}].options: not an object`);
    }
    return {
      id: text(o.id, `devices[${i}].id`, 64),
      kind: text(o.kind, `devices[${i}].kind`, 40),
      options: o.options as Record<string, LinkValue>,
    };
  });
}

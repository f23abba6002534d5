import type { DeviceEvent } from '../../devices/device-events';

/**
 * Device events across the agent link, losslessly: an agent's reader produces the same DeviceEvent a
 * local reader does, and the centre must hand its desk exactly that (the WebSocket clients, identity,
 * trace codes cannot tell the difference). JSON carries everything in them but two kinds of value,
 * so those travel tagged: a Date as `{ "$date": ISO }`, a Buffer (ID-card photo, card ATR) as
 * `{ "$bytes": base64 }`. Decoding turns them back and checks the event's shape: the centre never
 * trusts what an agent sends (`LinkEventError` names the first problem).
 */
export type LinkValue = string | number | boolean | null | LinkValue[] | { [key: string]: LinkValue };

export class LinkEventError extends Error {}

/** The largest value a decoded string or byte field may hold (a WLT photo is 1,024 bytes). */
const MAX_STRING = 4_096;
const MAX_BYTES = 65_536;
const DEPTH = 8;

export function encodeLinkValue(value: unknown, depth = 0): LinkValue {
  if (depth > DEPTH) {
    throw new LinkEventError('event nests too deep');
  }
  if (value instanceof Date) {
    return { $date: value.toISOString() };
  }
  if (Buffer.isBuffer(value)) {
    return { $bytes: value.toString('base64') };
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new LinkEventError('not a finite number');
    }
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => encodeLinkValue(v, depth + 1));
  }
  if (typeof value === 'object') {
    const out: Record<string, LinkValue> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) {
        out[k] = encodeLinkValue(v, depth + 1);
      }
    }
    return out;
  }
  throw new LinkEventError(`cannot send a ${typeof value}`);
}

export function decodeLinkValue(value: unknown, path = 'event', depth = 0): unknown {
  if (depth > DEPTH) {
    throw new LinkEventError(`${path}: nests too deep`);
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING) {
      throw new LinkEventError(`${path}: longer than ${MAX_STRING} characters`);
    }
    return value;
  }
  if (value === null || typeof value === 'boolean' || typeof value === 'number') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => decodeLinkValue(v, `${path}[${i}]`, depth + 1));
  }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$date') {
      const d = typeof o.$date === 'string' ? new Date(o.$date) : new Date(NaN);
      if (Number.isNaN(d.getTime())) {
        throw new LinkEventError(`${path}: not a date`);
      }
      return d;
    }
    if (keys.length === 1 && keys[0] === '$bytes') {
      if (typeof o.$bytes !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.$bytes)) {
        throw new LinkEventError(`${path}: not base64 bytes`);
      }
      const bytes = Buffer.from(o.$bytes, 'base64');
      if (bytes.length > MAX_BYTES) {
        throw new LinkEventError(`${path}: more than ${MAX_BYTES} bytes`);
      }
      return bytes;
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      out[k] = decodeLinkValue(o[k], `${path}.${k}`, depth + 1);
    }
    return out;
  }
  throw new LinkEventError(`${path}: not JSON`);
}

/** The event as it crosses the link (its desk is not sent: the centre knows the agent's desk). */
export function encodeDeviceEvent(event: DeviceEvent): LinkValue {
  const { desk: _desk, ...rest } = event;
  void _desk;
  return encodeLinkValue(rest);
}

const STATES = new Set([
  'connecting',
  'connected',
  'waiting',
  'reading',
  'authentication-required',
  'disconnected',
  'error',
]);

/**
 * The DeviceEvent an agent sent, at the agent's desk (`desk`: the centre's record of the agent, never
 * the agent's word). Throws LinkEventError when it is not a device event of a known kind.
 */
export function decodeDeviceEvent(sent: unknown, desk: string): DeviceEvent {
  const v = decodeLinkValue(sent);
  const o = isObject(v) ? v : fail('event: not an object');
  const deviceId = str(o.deviceId, 'event.deviceId', 64);
  switch (o.type) {
    case 'status': {
      const s = obj(o.status, 'event.status');
      if (typeof s.state !== 'string' || !STATES.has(s.state)) {
        fail('event.status.state: not a device state');
      }
      str(s.message, 'event.status.message', 500);
      date(s.at, 'event.status.at');
      return { type: 'status', deviceId, desk, status: s as never };
    }
    case 'id-card': {
      const r = obj(o.read, 'event.read');
      const identity = obj(r.identity, 'event.read.identity');
      for (const f of ['name', 'sexCode', 'nationCode', 'birthDate', 'address', 'idNumber', 'validFrom', 'validTo']) {
        str(identity[f], `event.read.identity.${f}`, 200);
      }
      if (!Buffer.isBuffer(r.photo)) {
        fail('event.read.photo: not bytes');
      }
      date(r.at, 'event.read.at');
      return { type: 'id-card', deviceId, desk, read: r as never };
    }
    case 'ssse-card': {
      const r = obj(o.read, 'event.read');
      const result = obj(r.result, 'event.read.result');
      if (result.kind !== 'complete' && result.kind !== 'authentication-required') {
        fail('event.read.result.kind: not complete or authentication-required');
      }
      obj(result.card, 'event.read.result.card');
      if (!Buffer.isBuffer(r.atr)) {
        fail('event.read.atr: not bytes');
      }
      date(r.at, 'event.read.at');
      return { type: 'ssse-card', deviceId, desk, read: r as never };
    }
    case 'scan': {
      const s = obj(o.scan, 'event.scan');
      str(s.text, 'event.scan.text', MAX_STRING);
      const c = obj(s.classification, 'event.scan.classification');
      str(c.kind, 'event.scan.classification.kind', 40);
      date(s.at, 'event.scan.at');
      if (o.source !== 'device' && o.source !== 'keyboard') {
        fail('event.source: not device or keyboard');
      }
      return { type: 'scan', deviceId, desk, scan: s as never, source: o.source };
    }
    default:
      return fail('event.type: not status, id-card, ssse-card or scan');
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date);
}

function obj(v: unknown, path: string): Record<string, unknown> {
  return isObject(v) ? v : fail(`${path}: not an object`);
}

function str(v: unknown, path: string, max: number): string {
  if (typeof v !== 'string' || v.length > max) {
    fail(`${path}: not a string of at most ${max} characters`);
  }
  return v;
}

function date(v: unknown, path: string): Date {
  return v instanceof Date ? v : fail(`${path}: not a date`);
}

function fail(message: string): never {
  throw new LinkEventError(message);
}

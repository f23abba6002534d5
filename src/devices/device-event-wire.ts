import type { Classification } from '../../drivers/protocols/code-classifier';
import type { DeviceState } from '../../drivers/readers/device-status';
import type {
  DeviceEvent,
  SettlementEvent,
  SettlementEventPayload,
  TraceCodeEvent,
  TraceCodeEventPayload,
  VerdictEvent,
  VerdictEventPayload,
} from './device-events';

/**
 * Device events as JSON for the WebSocket and the console: dates as ISO strings, bytes as
 * base64, the read as the reader produced it. A social-security card stopped at
 * authentication carries only its public fields and the reason: never blank name or number.
 */
export type WireDeviceEvent =
  | { type: 'status'; deviceId: string; desk: string; at: string; state: DeviceState; message: string }
  | {
      type: 'id-card';
      deviceId: string;
      desk: string;
      at: string;
      identity: Record<string, string | null>;
      /** The compressed photo (WLT) as the reader sent it, base64; decoding needs the licensed library. */
      photoWlt: string;
    }
  | {
      type: 'ssse-card';
      deviceId: string;
      desk: string;
      at: string;
      result: 'complete' | 'authentication-required';
      card: Record<string, string>;
      reason?: { code: string; message: string };
      atr: string;
    }
  | {
      type: 'scan';
      deviceId: string;
      desk: string;
      at: string;
      source: 'device' | 'keyboard';
      text: string;
      symbology: string | null;
      classification: Classification;
    }
  | ({ type: 'verdict'; deviceId: string; desk: string; at: string } & Omit<VerdictEventPayload, 'at'>)
  | ({ type: 'trace-code'; deviceId: string; desk: string; at: string } & Omit<TraceCodeEventPayload, 'at'>)
  | ({ type: 'settlement'; deviceId: string; desk: string; at: string } & Omit<SettlementEventPayload, 'at'>);

export function toWireEvent(event: DeviceEvent | VerdictEvent | TraceCodeEvent | SettlementEvent): WireDeviceEvent {
  const base = { deviceId: event.deviceId, desk: event.desk };
  switch (event.type) {
    case 'status':
      return {
        type: 'status',
        ...base,
        at: event.status.at.toISOString(),
        state: event.status.state,
        message: event.status.message,
      };
    case 'id-card':
      return {
        type: 'id-card',
        ...base,
        at: event.read.at.toISOString(),
        identity: { ...event.read.identity },
        photoWlt: event.read.photo.toString('base64'),
      };
    case 'ssse-card': {
      const { result } = event.read;
      return {
        type: 'ssse-card',
        ...base,
        at: event.read.at.toISOString(),
        result: result.kind,
        card: { ...result.card },
        ...(result.kind === 'authentication-required'
          ? { reason: { code: result.reason.code, message: result.reason.message } }
          : {}),
        atr: event.read.atr.toString('hex').toUpperCase(),
      };
    }
    case 'scan':
      return {
        type: 'scan',
        ...base,
        at: event.scan.at.toISOString(),
        source: event.source,
        text: event.scan.text,
        symbology: event.scan.symbology?.id ?? null,
        classification: event.scan.classification,
      };
    case 'verdict': {
      const { at, ...verdict } = event.verdict;
      return { type: 'verdict', ...base, at: at.toISOString(), ...verdict };
    }
    case 'trace-code': {
      const { at, ...result } = event.result;
      return { type: 'trace-code', ...base, at: at.toISOString(), ...result };
    }
    case 'settlement': {
      const { at, ...settlement } = event.settlement;
      return { type: 'settlement', ...base, at: at.toISOString(), ...settlement };
    }
  }
}

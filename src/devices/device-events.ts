import { EventEmitter } from 'node:events';
import type { IdCardRead } from '../../drivers/readers/id-card-reader';
import type { Scan } from '../../drivers/readers/scanner-reader';
import type { DeviceStatus } from '../../drivers/readers/device-status';
import type { SsseCardRead } from '../../drivers/protocols/ssse-card';

/** One social-security card presented to a reader: the read, complete or stopped at authentication. */
export interface SsseCardEvent {
  result: SsseCardRead;
  /** The card's answer to reset, as the reader saw it. */
  atr: Buffer;
  at: Date;
}

export type DeviceEvent =
  | { type: 'status'; deviceId: string; desk: string; status: DeviceStatus }
  | { type: 'id-card'; deviceId: string; desk: string; read: IdCardRead }
  | { type: 'ssse-card'; deviceId: string; desk: string; read: SsseCardEvent }
  | { type: 'scan'; deviceId: string; desk: string; scan: Scan; source: 'device' | 'keyboard' };

/**
 * The internal bus of device events. Identity and trace-code capture subscribe here; events
 * carry personal data (an ID-card read), so the bus never leaves the process and is never
 * logged. The WebSocket (device-events.socket.ts) passes them on to the desk they belong to.
 */
export class DeviceEvents extends EventEmitter<{ event: [DeviceEvent] }> {
  publish(event: DeviceEvent): void {
    this.emit('event', event);
  }
}

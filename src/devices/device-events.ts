import { EventEmitter } from 'node:events';
import type { IdCardRead } from '../../drivers/readers/id-card-reader';
import type { Scan } from '../../drivers/readers/scanner-reader';
import type { DeviceStatus } from '../../drivers/readers/device-status';
import type { SsseCardRead } from '../../drivers/protocols/ssse-card';
import type { WireDeviceEvent } from './device-event-wire';

/** One social-security card presented to a reader: the read, complete or stopped at authentication. */
export interface SsseCardEvent {
  result: SsseCardRead;
  /** The card's answer to reset, as the reader saw it. */
  atr: Buffer;
  at: Date;
}

/** A verification session's verdict changed (identity): no personal data, only codes, messages and the token. */
export interface VerdictEventPayload {
  sessionId: string;
  visitId: string | null;
  verdict: string;
  offline: boolean;
  coverage: string;
  checks: readonly { code: string; passed: boolean; message: string }[];
  missing: readonly { code: string; message: string }[];
  token: string | null;
  tokenExpiresAt: string | null;
  at: Date;
}

export type DeviceEvent =
  | { type: 'status'; deviceId: string; desk: string; status: DeviceStatus }
  | { type: 'id-card'; deviceId: string; desk: string; read: IdCardRead }
  | { type: 'ssse-card'; deviceId: string; desk: string; read: SsseCardEvent }
  | { type: 'scan'; deviceId: string; desk: string; scan: Scan; source: 'device' | 'keyboard' };

/** Pushed to the desk by identity (not a device read): the desk's verification verdict changed. */
export interface VerdictEvent {
  type: 'verdict';
  /** Always 'identity'. */
  deviceId: string;
  desk: string;
  verdict: VerdictEventPayload;
}

/** What trace-code capture made of a drug scan at a desk: no personal data (the scan was a drug code). */
export interface TraceCodeEventPayload {
  outcome: 'accepted' | 'refused' | 'duplicate';
  /** The canonical code, when the scan was one. */
  code: string | null;
  form: 'trace20' | 'gs1' | null;
  productCode: string | null;
  refusal: { code: string; message: string } | null;
  /** For a duplicate: when and on which visit and line the box was dispensed. */
  context: Record<string, string> | null;
  /** The desk's active line after an accepted scan. */
  line: { visitId: string; lineNo: string; held: number; needed: number; status: string } | null;
  at: Date;
}

/** Pushed to the desk by trace-code capture (not a device read): the outcome of a drug scan. */
export interface TraceCodeEvent {
  type: 'trace-code';
  /** The scanner that read the code. */
  deviceId: string;
  desk: string;
  result: TraceCodeEventPayload;
}

/** A settlement's state changed (settlement): ids, status, amounts and a message; never a name or ID number. */
export interface SettlementEventPayload {
  settlementId: string;
  /** The HIS visit id. */
  visitId: string;
  status: 'pending' | 'provisional' | 'settled' | 'rejected' | 'needs-review' | 'cancelling' | 'cancelled';
  /** The insurer's settlement id, once settled. */
  setlId: string | null;
  /**
   * In fen, once the insurer's split is known (settled, cancelling, cancelled), or the provisional split
   * while the insurer is away (provisional); null otherwise.
   */
  amounts: {
    totalFen: number;
    fundFen: number;
    selfPayFen: number;
    deskCollectsFen: number;
    /** 自费转工伤 only: what the hospital refunds to the worker (the fund's part). */
    refundFen?: number;
  } | null;
  /** Chinese, for the desk staff: what happened and what to do. */
  message: string;
  at: Date;
}

/** Pushed to the desk by settlement (not a device read): the desk's settlement changed state. */
export interface SettlementEvent {
  type: 'settlement';
  /** Always 'settlement'. */
  deviceId: string;
  desk: string;
  settlement: SettlementEventPayload;
}

/**
 * The internal bus of device events. Identity and trace-code capture subscribe here; events
 * carry personal data (an ID-card read), so the bus never leaves the process and is never
 * logged. The WebSocket (device-events.socket.ts) passes them on to the desk they belong to.
 * `remote` carries what another gateway instance published (DeskEventRelay), already in wire form:
 * only the WebSocket listens to it (identity and trace codes act on the instance that read it).
 */
export class DeviceEvents extends EventEmitter<{
  event: [DeviceEvent];
  verdict: [VerdictEvent];
  'trace-code': [TraceCodeEvent];
  settlement: [SettlementEvent];
  remote: [WireDeviceEvent];
}> {
  publish(event: DeviceEvent): void {
    this.emit('event', event);
  }

  /** Identity's verdicts travel to the desk's WebSocket with the device events. */
  publishVerdict(event: VerdictEvent): void {
    this.emit('verdict', event);
  }

  /** Trace-code capture's answer to a drug scan travels to the desk's WebSocket the same way. */
  publishTraceCode(event: TraceCodeEvent): void {
    this.emit('trace-code', event);
  }

  /** Settlement's state changes travel to the desk that asked for the settlement. */
  publishSettlement(event: SettlementEvent): void {
    this.emit('settlement', event);
  }

  /** An event of another instance, as its WebSocket would send it (DeskEventRelay). */
  deliverRemote(event: WireDeviceEvent): void {
    this.emit('remote', event);
  }
}

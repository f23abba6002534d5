import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ClusterBus } from '../platform';
import {
  type DeviceEvent,
  DeviceEvents,
  type SettlementEvent,
  type TraceCodeEvent,
  type VerdictEvent,
} from './device-events';
import { toWireEvent, type WireDeviceEvent } from './device-event-wire';

/** The cluster topic of desk events. */
export const DESK_EVENTS_TOPIC = 'desk-events';

/**
 * Desk events between gateway instances on one PostgreSQL: whatever this instance's WebSocket sends
 * to its desk pages and HIS (device reads and status, verdicts, trace-code answers, settlement
 * states) goes, in the same wire form, to the other instances' WebSockets (ClusterBus: sealed,
 * LISTEN/NOTIFY), so a client connected to any instance sees its desk's events. Each instance
 * delivers its own events itself and never gets them back: each client gets each event once.
 * On SQLite there is one instance and nothing to relay.
 */
@Injectable()
export class DeskEventRelay implements OnModuleInit, OnApplicationShutdown {
  private unsubscribe: (() => void) | undefined;
  private readonly onLocal = (event: DeviceEvent | VerdictEvent | TraceCodeEvent | SettlementEvent): void =>
    this.bus.publish(DESK_EVENTS_TOPIC, toWireEvent(event));

  constructor(
    private readonly bus: ClusterBus,
    private readonly events: DeviceEvents,
  ) {}

  onModuleInit(): void {
    if (!this.bus.shared) {
      return;
    }
    this.events.on('event', this.onLocal);
    this.events.on('verdict', this.onLocal);
    this.events.on('trace-code', this.onLocal);
    this.events.on('settlement', this.onLocal);
    this.unsubscribe = this.bus.subscribe(DESK_EVENTS_TOPIC, (body) =>
      this.events.deliverRemote(body as WireDeviceEvent),
    );
  }

  onApplicationShutdown(): void {
    this.events.off('event', this.onLocal);
    this.events.off('verdict', this.onLocal);
    this.events.off('trace-code', this.onLocal);
    this.events.off('settlement', this.onLocal);
    this.unsubscribe?.();
  }
}

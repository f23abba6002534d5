import { Injectable, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../platform';
import { DeviceEvents } from './device-events';
import { DeviceEventsSocket } from './device-events.socket';
import { DeviceRegistry } from './device-registry';
import { WORKING_STATES } from './devices.health';

/**
 * Devices in /metrics: whether each one works (for an alert on a reader left unplugged), reads
 * and scans per device, and the WebSocket clients listening. Labels never carry personal data.
 */
@Injectable()
export class DevicesMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly registry: DeviceRegistry,
    private readonly events: DeviceEvents,
    private readonly socket: DeviceEventsSocket,
  ) {}

  onModuleInit(): void {
    const registry = this.registry;
    const socket = this.socket;
    new Gauge({
      name: 'gateway_device_up',
      help: '1 while the device works (connected, waiting, reading, or a card needing authentication), 0 otherwise',
      labelNames: ['device', 'kind', 'transport'],
      registers: [this.metrics.registry],
      collect() {
        this.reset();
        for (const d of registry.list()) {
          this.set({ device: d.id, kind: d.kind, transport: d.transport }, WORKING_STATES.has(d.status.state) ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'gateway_device_event_clients',
      help: 'WebSocket clients listening to device events',
      registers: [this.metrics.registry],
      collect() {
        this.set(socket.connections);
      },
    });
    const reads = new Counter({
      name: 'gateway_device_reads_total',
      help: 'Card reads and scans, by device and type (id-card, ssse-card, scan)',
      labelNames: ['device', 'type'],
      registers: [this.metrics.registry],
    });
    this.events.on('event', (event) => {
      if (event.type !== 'status') {
        reads.inc({ device: event.deviceId, type: event.type });
      }
    });
  }
}

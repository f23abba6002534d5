import { Injectable, OnModuleInit } from '@nestjs/common';
import { ComponentHealth, HealthContributor, HealthRegistry } from '../platform';
import { DeviceRegistry } from './device-registry';

/** States in which a device works; 'authentication-required' is about the card, not the reader. */
export const WORKING_STATES: ReadonlySet<string> = new Set([
  'connected',
  'waiting',
  'reading',
  'authentication-required',
]);

/** Devices in /health: a device in trouble degrades the gateway but never takes it down. */
@Injectable()
export class DevicesHealth implements HealthContributor, OnModuleInit {
  readonly name = 'devices';
  readonly critical = false;

  constructor(
    private readonly devices: DeviceRegistry,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async check(): Promise<ComponentHealth> {
    const list = this.devices.list();
    const troubled = list.filter((d) => !WORKING_STATES.has(d.status.state));
    return {
      status: troubled.length === 0 ? 'up' : 'degraded',
      detail:
        list.length === 0 ? 'no devices configured' : `${list.length - troubled.length} of ${list.length} working`,
      devices: Object.fromEntries(
        list.map((d) => [d.id, { kind: d.kind, desk: d.desk, state: d.status.state, message: d.status.message }]),
      ),
    };
  }
}

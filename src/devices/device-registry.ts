import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { DeviceStatus } from '../../drivers/readers/device-status';
import { GatewayConfig } from '../platform';
import { DeviceConfig, DeviceTransport, deviceTransport } from './devices.config';
import { UPSTREAM_LINK, UpstreamLink } from '../upstream/upstream-link';
import { UpstreamCalls } from '../upstream/upstream-calls';
import { buildDevice, DeviceReader, DeviceSimulation } from './device-factory';
import { DeviceEvents } from './device-events';
import { DEVICE_ERRORS } from './devices.errors';
import { HsmCardAuthenticator } from './hsm-authenticator';
import { SIMULATED_CARD_HSM_SECRET } from './simulated/simulated-parts';

export interface DeviceView {
  id: string;
  kind: DeviceConfig['kind'];
  transport: DeviceTransport;
  desk: string;
  /** Port, VID:PID or reader name; null for simulated devices. */
  path: string | null;
  status: DeviceStatus;
}

/**
 * The devices declared in config, each driven by its reader from drivers/. A device that cannot
 * be opened sits in error status with a message and keeps retrying; the others are not affected.
 */
@Injectable()
export class DeviceRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeviceRegistry.name);
  private readonly devices = new Map<
    string,
    { config: DeviceConfig; reader: DeviceReader; simulation?: DeviceSimulation }
  >();

  constructor(
    private readonly config: GatewayConfig,
    private readonly events: DeviceEvents,
    private readonly calls: UpstreamCalls,
    @Inject(UPSTREAM_LINK) private readonly link: UpstreamLink | null,
    @Optional() @Inject(SIMULATED_CARD_HSM_SECRET) private readonly simulatedHsmSecret?: string,
  ) {}

  onApplicationBootstrap(): void {
    const deps = {
      hsm: this.link ? new HsmCardAuthenticator(this.calls) : undefined,
      sandboxHsmSecret: this.link?.source === 'sandbox' ? this.simulatedHsmSecret : undefined,
      publish: (event: Parameters<DeviceEvents['publish']>[0]) => this.events.publish(event),
    };
    for (const device of this.config.devices) {
      const { reader, simulation } = buildDevice(device, deps);
      this.devices.set(device.id, { config: device, reader, simulation });
      reader.on('status', (status: DeviceStatus) => {
        this.events.publish({ type: 'status', deviceId: device.id, desk: device.desk, status });
        if (status.state === 'error' || status.state === 'disconnected') {
          this.logger.warn(`${device.id} (${device.path ?? 'simulated'}): ${status.message}`);
        }
      });
      reader.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.reader.stop()));
  }

  list(): DeviceView[] {
    return [...this.devices.values()].map(({ config, reader }) => ({
      id: config.id,
      kind: config.kind,
      transport: deviceTransport(config),
      desk: config.desk,
      path: config.path ?? null,
      status: reader.status,
    }));
  }

  get(id: string): DeviceView | undefined {
    return this.list().find((d) => d.id === id);
  }

  /** The device, or the 404 both the IT and the sandbox endpoints answer. */
  require(id: string): DeviceView {
    const device = this.get(id);
    if (device === undefined) {
      throw DEVICE_ERRORS.raise('DEVICE_NOT_FOUND', {
        message: `没有编号为「${id}」的设备：请查看 GET /api/v1/devices`,
      });
    }
    return device;
  }

  /** The controls of a simulated device (sandbox mode); undefined for real ones. */
  simulation(id: string): DeviceSimulation | undefined {
    return this.devices.get(id)?.simulation;
  }
}

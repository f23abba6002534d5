import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import type { DeviceStatus } from '../../drivers/readers/device-status';
import { GatewayConfig } from '../platform';
import { DeviceConfig, DeviceHost, DeviceTransport, deviceTransport } from './devices.config';
import type { DeviceEvent } from './device-events';
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
  /** gateway: a port of this machine; agent: a port of the desk's PC, opened by its agent. */
  host: DeviceHost;
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
  /** Devices on desk PCs (host: agent): their settings and the last status their agent reported. */
  private readonly onAgents = new Map<string, { config: DeviceConfig; status: DeviceStatus }>();

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
    const since = new Date();
    for (const device of this.config.devices) {
      if (device.host === 'agent') {
        this.onAgents.set(device.id, {
          config: device,
          status: {
            state: 'disconnected',
            message: `等待工作站「${device.desk}」的桌面代理连接（设备接在该工作站的电脑上）`,
            at: since,
          },
        });
        continue;
      }
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
    const view = (config: DeviceConfig, status: DeviceStatus): DeviceView => ({
      id: config.id,
      kind: config.kind,
      transport: deviceTransport(config),
      host: config.host ?? 'gateway',
      desk: config.desk,
      path: config.path ?? null,
      status,
    });
    return [
      ...[...this.devices.values()].map(({ config, reader }) => view(config, reader.status)),
      ...[...this.onAgents.values()].map(({ config, status }) => view(config, status)),
    ].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The devices an agent at `desk` opens (its part of the config, handed to it when it connects). */
  agentDevices(desk: string): DeviceConfig[] {
    return [...this.onAgents.values()].filter((d) => d.config.desk === desk).map((d) => d.config);
  }

  /**
   * An event from the agent at `desk`, passed on exactly as a local device's would be (the desk's
   * WebSocket, identity, trace codes cannot tell the difference); a status is also kept for
   * GET /api/v1/devices and /health. A device that is not one of that desk's agent-hosted devices is
   * refused (409 DEVICE_NOT_ON_AGENT): an agent speaks only for its own desk.
   */
  fromAgent(desk: string, event: DeviceEvent): void {
    const device = this.onAgents.get(event.deviceId);
    if (device === undefined || device.config.desk !== desk || event.desk !== desk) {
      throw DEVICE_ERRORS.raise('DEVICE_NOT_ON_AGENT', {
        message: `设备「${event.deviceId}」不是工作站「${desk}」桌面代理上的设备（配置中 host: agent 且 desk 相同）：请检查网关的设备配置`,
      });
    }
    if (event.type === 'status') {
      device.status = event.status;
    }
    this.events.publish(event);
  }

  /**
   * The agent at `desk` is gone (its link closed or timed out): each of its devices becomes
   * disconnected, said to the desk as a status event like a local device unplugged.
   */
  agentGone(desk: string, at: Date, reason: string): void {
    for (const device of this.onAgents.values()) {
      if (device.config.desk !== desk) {
        continue;
      }
      device.status = {
        state: 'disconnected',
        message: `工作站「${desk}」的桌面代理已断开（${reason}）：请检查该电脑是否开机、网络是否正常`,
        at,
      };
      this.events.publish({ type: 'status', deviceId: device.config.id, desk, status: device.status });
    }
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

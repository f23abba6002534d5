import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { DeviceStatus } from '../../../drivers/readers/device-status';
import { buildDevice, type DeviceReader, type DeviceSimulation } from '../../devices/device-factory';
import type { DeviceEvent } from '../../devices/device-events';
import { DeviceConfig } from '../../devices/devices.config';
import type { LinkValue } from '../link/event-codec';
import type { AgentDeviceConfig } from '../link/link-messages';

/** The settings of a device that travel to its agent (everything but its id, kind and desk). */
const OPTION_KEYS = ['transport', 'path', 'baudRate', 'terminator', 'cardAuth'] as const;

/** The centre's side: a configured agent-hosted device as the agent receives it. */
export function toAgentDeviceConfig(device: DeviceConfig): AgentDeviceConfig {
  const options: Record<string, LinkValue> = {};
  for (const key of OPTION_KEYS) {
    const value = device[key];
    if (value !== undefined) {
      options[key] = value;
    }
  }
  return { id: device.id, kind: device.kind, options };
}

/** What applying a configuration did, device by device. */
export interface AppliedConfig {
  started: string[];
  stopped: string[];
  restarted: string[];
  unchanged: string[];
  /** Devices the agent could not take, with why (the centre's config is checked here again). */
  refused: { id: string; problem: string }[];
}

interface Running {
  config: DeviceConfig;
  key: string;
  reader: DeviceReader;
  simulation?: DeviceSimulation;
}

/**
 * The agent's devices: the readers of drivers/ for the devices the centre gave this desk, their
 * events handed to `publish` (the link), the same driver code a gateway runs for its own ports. A new
 * configuration from the centre starts what was added, stops what was removed and restarts what
 * changed; the rest keep running untouched (a scan in progress is not cut). No database, no insurer.
 */
export class AgentDevices {
  private readonly running = new Map<string, Running>();
  private readonly waiters = new Set<{ deviceId: string; done: (e: DeviceEvent) => void }>();

  constructor(
    private readonly desk: string,
    private readonly publish: (event: DeviceEvent) => void,
    private readonly options: { sandboxHsmSecret?: string } = {},
  ) {}

  async apply(configs: readonly AgentDeviceConfig[]): Promise<AppliedConfig> {
    const result: AppliedConfig = { started: [], stopped: [], restarted: [], unchanged: [], refused: [] };
    const wanted = new Map<string, DeviceConfig>();
    for (const c of configs) {
      const { device, problem } = this.deviceConfig(c);
      if (device) {
        wanted.set(device.id, device);
      } else {
        result.refused.push({ id: c.id, problem });
      }
    }
    // Stopped first (and waited for: a changed device may reopen the same port), then started.
    for (const [id, run] of [...this.running]) {
      const next = wanted.get(id);
      if (next === undefined) {
        await this.stopOne(id);
        result.stopped.push(id);
      } else if (keyOf(next) !== run.key) {
        await this.stopOne(id);
        this.startOne(next);
        result.restarted.push(id);
      } else {
        result.unchanged.push(id);
      }
    }
    for (const [id, device] of wanted) {
      if (!this.running.has(id)) {
        this.startOne(device);
        result.started.push(id);
      }
    }
    return result;
  }

  /** Each device and its status, for `gateway agent status` and the local status page. */
  status(): { id: string; kind: string; path: string | null; status: DeviceStatus }[] {
    return [...this.running.values()].map((r) => ({
      id: r.config.id,
      kind: r.config.kind,
      path: r.config.path ?? null,
      status: r.reader.status,
    }));
  }

  /** The controls of a simulated device (sandbox agents, tests); undefined for a real one. */
  simulation(id: string): DeviceSimulation | undefined {
    return this.running.get(id)?.simulation;
  }

  /**
   * A test read the centre asked for: the next card or scan of that device within `waitMs`, or null
   * when none came (the read is also published as usual). Refuses a device this agent does not run.
   */
  async testRead(deviceId: string, waitMs: number): Promise<DeviceEvent | null> {
    if (!this.running.has(deviceId)) {
      throw new Error(
        `this agent runs no device "${deviceId}" (devices: ${[...this.running.keys()].join(', ') || 'none'})`,
      );
    }
    return new Promise<DeviceEvent | null>((resolve) => {
      const waiter = {
        deviceId,
        done: (e: DeviceEvent) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(e);
        },
      };
      const timer = setTimeout(
        () => {
          this.waiters.delete(waiter);
          resolve(null);
        },
        Math.max(0, waitMs),
      );
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stopOne(id)));
  }

  private deviceConfig(c: AgentDeviceConfig): { device?: DeviceConfig; problem: string } {
    const plain = { ...c.options, id: c.id, kind: c.kind, desk: this.desk };
    const device = plainToInstance(DeviceConfig, plain);
    const errors = validateSync(device, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      return {
        problem: errors
          .map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ') || 'not accepted'}`)
          .join(', '),
      };
    }
    if (device.host === 'agent') {
      // The centre's marker, not a setting of the agent's own.
      device.host = undefined;
    }
    return { device, problem: '' };
  }

  private startOne(device: DeviceConfig): void {
    const { reader, simulation } = buildDevice(device, {
      sandboxHsmSecret: this.options.sandboxHsmSecret,
      publish: (event) => this.deliver(event),
    });
    reader.on('status', (status: DeviceStatus) =>
      this.deliver({ type: 'status', deviceId: device.id, desk: this.desk, status }),
    );
    this.running.set(device.id, { config: device, key: keyOf(device), reader, simulation });
    reader.start();
  }

  private stopOne(id: string): Promise<void> {
    const run = this.running.get(id);
    this.running.delete(id);
    return run ? run.reader.stop() : Promise.resolve();
  }

  private deliver(event: DeviceEvent): void {
    if (event.type !== 'status') {
      for (const w of [...this.waiters]) {
        if (w.deviceId === event.deviceId) {
          w.done(event);
        }
      }
    }
    this.publish(event);
  }
}

function keyOf(device: DeviceConfig): string {
  return JSON.stringify([device.kind, ...OPTION_KEYS.map((k) => device[k] ?? null)]);
}

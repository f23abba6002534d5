import { Injectable } from '@nestjs/common';
import { AuditService, DomainError, type Principal } from '../platform';
import type { DeviceEvent } from './device-events';
import { DeviceEvents } from './device-events';
import { toWireEvent, type WireDeviceEvent } from './device-event-wire';
import { DeviceRegistry, type DeviceView } from './device-registry';
import { DEVICE_ERRORS } from './devices.errors';

/** What an agent answered to a test read: the read its device made, or null when nothing came in time. */
export interface AgentTestRead {
  agentId: string;
  event: DeviceEvent | null;
}

/**
 * How the devices capability reaches a device on a desk PC: the agent link registers itself here at
 * bootstrap (agents imports devices, never the other way). It throws the refusal to answer (no agent of
 * the desk connected, the agent failed, the link went) as a DomainError.
 */
export interface AgentTestReader {
  testRead(desk: string, deviceId: string, waitMs: number): Promise<AgentTestRead>;
}

export interface DeviceTestRead {
  deviceId: string;
  host: 'gateway' | 'agent';
  agentId: string | null;
  read: WireDeviceEvent | null;
  message: string;
}

/**
 * Use case: IT asks a device for one read ("test read"): the next card, ID card or scan at that
 * device within the wait. A device on a desk PC is asked through its desk's agent; a device of this
 * machine is watched on the device-event bus. Each test read is audited (device, desk, outcome; never
 * what was read).
 */
@Injectable()
export class DeviceTestReads {
  private agents: AgentTestReader | undefined;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly events: DeviceEvents,
    private readonly audit: AuditService,
  ) {}

  /** The agent link, registered at bootstrap. */
  useAgents(reader: AgentTestReader): void {
    this.agents = reader;
  }

  async run(deviceId: string, waitSeconds: number, by: Pick<Principal, 'type' | 'id'>): Promise<DeviceTestRead> {
    const device = this.registry.require(deviceId);
    const waitMs = waitSeconds * 1000;
    let answer: DeviceTestRead;
    try {
      answer = device.host === 'agent' ? await this.onAgent(device, waitMs) : await this.local(device, waitMs);
    } catch (e) {
      await this.audit.record({
        actor: by,
        action: 'device.test-read',
        outcome: 'failure',
        details: {
          deviceId,
          desk: device.desk,
          host: device.host,
          // The refusal's code; null for an unexpected error (the exception filter logs it).
          code: e instanceof DomainError ? e.code : null,
        },
      });
      throw e;
    }
    await this.audit.record({
      actor: by,
      action: 'device.test-read',
      outcome: 'success',
      details: {
        deviceId,
        desk: device.desk,
        host: device.host,
        agentId: answer.agentId,
        read: answer.read?.type ?? null,
      },
    });
    return answer;
  }

  private async onAgent(device: DeviceView, waitMs: number): Promise<DeviceTestRead> {
    if (this.agents === undefined) {
      throw DEVICE_ERRORS.raise('DEVICE_TEST_READ_FAILED', {
        message: `设备「${device.id}」接在工作站「${device.desk}」的电脑上，但本网关没有启用桌面代理连接：请检查网关的部署`,
      });
    }
    const { agentId, event } = await this.agents.testRead(device.desk, device.id, waitMs);
    return answer(device, agentId, event, waitMs);
  }

  private local(device: DeviceView, waitMs: number): Promise<DeviceTestRead> {
    return new Promise((resolve) => {
      const done = (event: DeviceEvent | null): void => {
        clearTimeout(timer);
        this.events.off('event', listener);
        resolve(answer(device, null, event, waitMs));
      };
      const listener = (event: DeviceEvent): void => {
        if (event.deviceId === device.id && event.type !== 'status') {
          done(event);
        }
      };
      const timer = setTimeout(() => done(null), waitMs);
      this.events.on('event', listener);
    });
  }
}

const READS: Record<Exclude<DeviceEvent['type'], 'status'>, string> = {
  'id-card': '身份证',
  'ssse-card': '社保卡',
  scan: '扫码',
};

function answer(device: DeviceView, agentId: string | null, event: DeviceEvent | null, waitMs: number): DeviceTestRead {
  const host = device.host;
  if (event === null || event.type === 'status') {
    return {
      deviceId: device.id,
      host,
      agentId,
      read: null,
      message: `设备「${device.id}」在 ${waitMs / 1000} 秒内没有读到卡或扫码：请在等待时间内放卡、插卡或扫码后重试`,
    };
  }
  return {
    deviceId: device.id,
    host,
    agentId,
    read: toWireEvent(event),
    message: `设备「${device.id}」工作正常：读到一次${READS[event.type]}`,
  };
}

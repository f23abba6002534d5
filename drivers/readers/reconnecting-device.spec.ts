import { Listeners } from '../transports/listeners';
import { TransportError } from '../transports/transport-errors';
import type { DeviceStatus } from './device-status';
import { DeviceLink, ReconnectingDevice } from './reconnecting-device';
import { eventually } from '../testing/eventually';

/** A link whose open fails `failures` times (a missing port), then works. */
class FlakyLink implements DeviceLink {
  readonly path = '/dev/ttyUSB9';
  opens = 0;
  private readonly listeners = new Listeners<{ disconnect: TransportError }>();

  constructor(private failures: number) {}

  async open(): Promise<void> {
    this.opens++;
    if (this.failures > 0) {
      this.failures--;
      throw new TransportError('NOT_FOUND', `串口 ${this.path} 不存在：请检查设备是否已插好`);
    }
  }

  async close(): Promise<void> {}

  onDisconnect(listener: (error: TransportError) => void): () => void {
    return this.listeners.on('disconnect', listener);
  }

  /** The port goes missing for the next `missingFor` opens without the line reporting a loss. */
  unplugQuietly(missingFor: number): void {
    this.failures = missingFor;
  }

  unplug(missingFor = 0): void {
    this.failures = missingFor;
    this.listeners.emit('disconnect', new TransportError('IO', `串口 ${this.path} 已断开`));
  }
}

class TestDevice extends ReconnectingDevice<Record<string, never>> {
  constructor(link: FlakyLink) {
    super(link, { reconnectBaseMs: 5, reconnectMaxMs: 20 }, '测试设备');
  }

  protected async session(): Promise<void> {
    this.setStatus('waiting', '请扫码');
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (!this.active) {
          clearInterval(check);
          resolve();
        }
      }, 2);
    });
  }
}

describe('ReconnectingDevice statuses', () => {
  it('keeps the error (what to check) while it retries a failing open, until the device works', async () => {
    const link = new FlakyLink(3);
    const device = new TestDevice(link);
    const seen: DeviceStatus[] = [];
    device.on('status', (s) => seen.push(s));
    device.start();
    await eventually(() => device.status.state === 'waiting', 'the device to work');
    await device.stop();
    expect(link.opens).toBe(4);
    expect(seen.map((s) => s.state)).toEqual(['connecting', 'error', 'waiting']);
    expect(seen[1].message).toContain('不存在');
  });

  it('after an unplug says disconnected until it is back, not connecting', async () => {
    const link = new FlakyLink(0);
    const device = new TestDevice(link);
    const seen: DeviceStatus[] = [];
    device.on('status', (s) => seen.push(s));
    device.start();
    await eventually(() => device.status.state === 'waiting', 'the device to work');
    link.unplug();
    await eventually(() => seen.filter((s) => s.state === 'waiting').length === 2, 'the device back');
    await device.stop();
    // The transport's report and then the loop's own message ("请检查数据线和电源"): both disconnected.
    const states = seen.map((s) => s.state).filter((state, i, all) => state !== all[i - 1]);
    expect(states).toEqual(['connecting', 'waiting', 'disconnected', 'waiting']);
  });

  it('while an unplugged port stays missing it says disconnected with what to check, not a fault', async () => {
    const link = new FlakyLink(0);
    const device = new TestDevice(link);
    const seen: DeviceStatus[] = [];
    device.on('status', (s) => seen.push(s));
    device.start();
    await eventually(() => device.status.state === 'waiting', 'the device to work');
    link.unplug(3);
    await eventually(() => seen.filter((s) => s.state === 'waiting').length === 2, 'the device back');
    await device.stop();
    expect(link.opens).toBe(5);
    const states = seen.map((s) => s.state).filter((state, i, all) => state !== all[i - 1]);
    expect(states).toEqual(['connecting', 'waiting', 'disconnected', 'waiting']);
    expect(seen.some((s) => s.state === 'disconnected' && s.message.includes('不存在'))).toBe(true);
  });

  it('a reply that timed out while the cable was being pulled, then a missing port: disconnected, not a fault', async () => {
    const link = new FlakyLink(0);
    let pulled = false;
    class PulledDevice extends TestDevice {
      protected override async session(): Promise<void> {
        this.setStatus('waiting', '请扫码');
        await new Promise<void>((resolve, reject) => {
          const check = setInterval(() => {
            if (pulled) {
              pulled = false;
              clearInterval(check);
              // The device stopped answering before the port went away (the driver's reply timeout).
              link.unplugQuietly(3);
              reject(new Error('测试设备 2000 毫秒内无应答'));
            } else if (!this.active) {
              clearInterval(check);
              resolve();
            }
          }, 2);
        });
      }
    }
    const device = new PulledDevice(link);
    const seen: DeviceStatus[] = [];
    device.on('status', (s) => seen.push(s));
    device.start();
    await eventually(() => device.status.state === 'waiting', 'the device to work');
    pulled = true;
    await eventually(() => seen.filter((s) => s.state === 'waiting').length === 2, 'the device back');
    await device.stop();
    const states = seen.map((s) => s.state).filter((state, i, all) => state !== all[i - 1]);
    expect(states).toEqual(['connecting', 'waiting', 'error', 'disconnected', 'waiting']);
    expect(seen.some((s) => s.state === 'disconnected' && s.message.includes('不存在'))).toBe(true);
  });
});

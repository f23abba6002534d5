import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SerialPort } from 'serialport';
import { Listeners } from './listeners';
import { SerialOptions, SerialTransport } from './serial-transport';
import { DisconnectedError, openError, TransportError } from './transport-errors';

/** Write errors that mean the device is gone, not that one write failed. */
const DEVICE_GONE_CODES = new Set(['EIO', 'ENXIO', 'ENODEV', 'EBADF']);

/** The real serial transport, on the `serialport` package (works with ttyS*, ttyUSB*, ttyACM* and ptys). */
export class NodeSerialTransport implements SerialTransport {
  private port: SerialPort | undefined;
  private closing = false;
  private readonly listeners = new Listeners<{ data: Buffer; disconnect: TransportError }>();

  constructor(private readonly options: SerialOptions) {}

  get path(): string {
    return this.options.path;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.port) {
      throw new TransportError('BUSY', `串口 ${this.path} 已经打开`);
    }
    const port = new SerialPort({ path: this.path, baudRate: this.options.baudRate, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(openError(this.path, err)) : resolve())),
    );
    this.port = port;
    this.closing = false;
    port.on('data', (chunk: Buffer) => this.listeners.emit('data', chunk));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => this.deviceGone(port, err ?? undefined));
    // Errors after open are followed by 'close'; keep them from becoming uncaught.
    port.on('error', () => undefined);
  }

  async write(data: Buffer): Promise<void> {
    const port = this.port;
    if (!port) {
      throw new TransportError('NOT_OPEN', `串口 ${this.path} 未打开`);
    }
    if (!port.isOpen) {
      // serialport marks the port closed as soon as a read fails on a vanished device and emits
      // 'close' only after the binding has closed: in between, this is the disconnect, heard now.
      this.deviceGone(port, undefined);
      throw new DisconnectedError(`串口 ${this.path} 已断开：请检查数据线和设备电源`);
    }
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => reject(this.writeError(port, err));
      port.write(data, (err) => {
        if (err) {
          failed(err);
          return;
        }
        port.drain((e) => (e ? failed(e) : resolve()));
      });
    });
  }

  /**
   * A write to a device that went away (a pulled USB cable, a pty whose other end closed) fails with
   * EIO/ENXIO/ENODEV/EBADF, often before the port's 'close' arrives. That is the disconnect, reported
   * now: the listeners hear it first (once), and the write rejects with a DisconnectedError — so a
   * caller that closes the port on the error cannot swallow the disconnect.
   */
  private writeError(port: SerialPort, err: Error & { code?: string; disconnect?: boolean }): TransportError {
    if (err.disconnect === true || DEVICE_GONE_CODES.has(err.code ?? '')) {
      this.deviceGone(port, err);
      return new DisconnectedError(`串口 ${this.path} 已断开：请检查数据线和设备电源 (${err.message})`, err);
    }
    return new TransportError('IO', `写串口 ${this.path} 失败 (${err.message})`, err);
  }

  /** The device went away while `port` was open: once per port, and not when we closed it ourselves. */
  private deviceGone(port: SerialPort, cause: Error | undefined): void {
    if (this.port !== port || this.closing) {
      return;
    }
    this.port = undefined;
    if (port.isOpen) {
      port.close(() => undefined);
    }
    this.listeners.emit('disconnect', new DisconnectedError(`串口 ${this.path} 已断开：请检查数据线和设备电源`, cause));
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port) {
      return;
    }
    this.closing = true;
    this.port = undefined;
    if (port.isOpen) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    return this.listeners.on('data', listener);
  }

  onDisconnect(listener: (error: TransportError) => void): () => void {
    return this.listeners.on('disconnect', listener);
  }
}

/** A serial port as the operating system lists it (ptys are not listed). */
export interface SerialPortInfo {
  path: string;
  manufacturer?: string;
  /** USB ids in hex, for USB-serial adapters and virtual-COM scanners. */
  vendorId?: string;
  productId?: string;
}

export interface SerialPortList {
  ports: SerialPortInfo[];
  /** Set when the list is incomplete and why (Chinese, for IT staff). */
  note?: string;
}

/**
 * The serial ports of this machine. On Linux `serialport` asks udev (`udevadm`); when udev is
 * not installed its child process fails with an error nobody catches, which would end the
 * gateway, so udevadm is looked for first and, without it, USB serial ports are listed from
 * /dev by name only.
 */
export async function listSerialPorts(env: NodeJS.ProcessEnv = process.env): Promise<SerialPortList> {
  if (process.platform === 'linux' && !onPath('udevadm', env)) {
    const ports = readdirSync('/dev')
      .filter((name) => /^tty(USB|ACM)\d+$/.test(name))
      .sort()
      .map((name) => ({ path: `/dev/${name}` }));
    return {
      ports,
      note: '未安装 udev（找不到 udevadm），只能按名称列出 USB 串口，无法显示厂商和型号：apt-get install udev',
    };
  }
  const ports = await SerialPort.list();
  return {
    ports: ports.map((p) => ({
      path: p.path,
      ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
      ...(p.vendorId ? { vendorId: p.vendorId.toLowerCase() } : {}),
      ...(p.productId ? { productId: p.productId.toLowerCase() } : {}),
    })),
  };
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

import { Listeners } from './listeners';
import { SerialTransport } from './serial-transport';
import { DisconnectedError, TransportError } from './transport-errors';

/**
 * An in-memory serial line: a FakeSerialPort is plugged in at a path; a FakeSerialTransport opens
 * it. Behaves like the real one (async delivery, one opener at a time, NOT_FOUND for a path
 * nobody plugged in, a disconnect when the device is unplugged), so readers can be tested
 * without hardware. The device side (a simulator) talks through the FakeSerialPort.
 */
export class FakeSerialLine {
  private readonly ports = new Map<string, FakeSerialPort>();

  plug(path: string): FakeSerialPort {
    const port = new FakeSerialPort(path, () => this.ports.delete(path));
    this.ports.set(path, port);
    return port;
  }

  transport(path: string): FakeSerialTransport {
    return new FakeSerialTransport(path, this);
  }

  port(path: string): FakeSerialPort | undefined {
    return this.ports.get(path);
  }
}

/** The device end of a fake serial line. */
export class FakeSerialPort {
  private opener: FakeSerialTransport | undefined;
  private readonly fromHost = new Listeners<{ data: Buffer }>();

  constructor(
    readonly path: string,
    private readonly onUnplug: () => void,
  ) {}

  /** Bytes the host wrote. */
  onHostData(listener: (chunk: Buffer) => void): () => void {
    return this.fromHost.on('data', listener);
  }

  /** The device sends bytes to the host (delivered asynchronously, like a real line). */
  send(chunk: Buffer): void {
    const opener = this.opener;
    setImmediate(() => opener?.deliver(Buffer.from(chunk)));
  }

  /** Pull the cable: the host sees a disconnect. */
  unplug(): void {
    this.onUnplug();
    const opener = this.opener;
    this.opener = undefined;
    setImmediate(() => opener?.lost());
  }

  attach(transport: FakeSerialTransport): void {
    if (this.opener) {
      throw new TransportError('BUSY', `串口 ${this.path} 正被其他程序占用`);
    }
    this.opener = transport;
  }

  detach(transport: FakeSerialTransport): void {
    if (this.opener === transport) {
      this.opener = undefined;
    }
  }

  hostWrote(chunk: Buffer): void {
    this.fromHost.emit('data', chunk);
  }
}

export class FakeSerialTransport implements SerialTransport {
  private port: FakeSerialPort | undefined;
  private readonly listeners = new Listeners<{ data: Buffer; disconnect: TransportError }>();

  constructor(
    readonly path: string,
    private readonly line: FakeSerialLine,
  ) {}

  get isOpen(): boolean {
    return this.port !== undefined;
  }

  async open(): Promise<void> {
    await Promise.resolve();
    if (this.port) {
      throw new TransportError('BUSY', `串口 ${this.path} 已经打开`);
    }
    const port = this.line.port(this.path);
    if (!port) {
      throw new TransportError('NOT_FOUND', `串口 ${this.path} 不存在：请检查设备是否已连接、配置中的端口名是否正确`);
    }
    port.attach(this);
    this.port = port;
  }

  async write(data: Buffer): Promise<void> {
    await Promise.resolve();
    if (!this.port) {
      throw new TransportError('NOT_OPEN', `串口 ${this.path} 未打开`);
    }
    this.port.hostWrote(Buffer.from(data));
  }

  async close(): Promise<void> {
    await Promise.resolve();
    this.port?.detach(this);
    this.port = undefined;
  }

  onData(listener: (chunk: Buffer) => void): () => void {
    return this.listeners.on('data', listener);
  }

  onDisconnect(listener: (error: TransportError) => void): () => void {
    return this.listeners.on('disconnect', listener);
  }

  deliver(chunk: Buffer): void {
    if (this.port) {
      this.listeners.emit('data', chunk);
    }
  }

  lost(): void {
    if (this.port) {
      this.port = undefined;
      this.listeners.emit('disconnect', new DisconnectedError(`串口 ${this.path} 已断开：请检查数据线和设备电源`));
    }
  }
}

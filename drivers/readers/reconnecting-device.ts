import { EventEmitter } from 'node:events';
import type { TransportError } from '../transports/transport-errors';
import type { DeviceState, DeviceStatus } from './device-status';

export interface ReconnectOptions {
  /** First reconnect delay after an unplug or a failed open; doubles up to reconnectMaxMs. */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

/** Raised inside a session when the line went away; the loop reconnects. */
export class LineLost extends Error {}

/**
 * What the reconnect loop needs of a transport (serial, HID, a PC/SC reader): open, close, and
 * a callback when the device goes away while open. See serial-transport.ts for the contract.
 */
export interface DeviceLink {
  readonly path: string;
  open(): Promise<void>;
  close(): Promise<void>;
  onDisconnect(listener: (error: TransportError) => void): () => void;
}

/**
 * A device that must keep working through unplugs: opens the transport, runs the device's
 * session, and when the line is lost or opening fails, reports why and tries again with
 * backoff. Never throws out of its loop; every problem becomes a status.
 */
export abstract class ReconnectingDevice<Events extends Record<string, unknown[]>> extends EventEmitter<
  Events & { status: [DeviceStatus] }
> {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private current: DeviceStatus;
  protected lost = false;
  /** The line was lost and has not been opened since: a missing port means the device is still away. */
  private away = false;
  /** The port was opened once in this run: if it is missing now, the device was unplugged, not misconfigured. */
  private openedOnce = false;

  protected constructor(
    protected readonly transport: DeviceLink,
    private readonly reconnect: ReconnectOptions,
    private readonly label: string,
  ) {
    super();
    this.current = { state: 'connecting', message: `正在连接${label}`, at: new Date() };
    transport.onDisconnect((e) => {
      this.lost = true;
      this.onLineLost(e);
      this.setStatus('disconnected', e.message);
      this.wakeUp?.();
    });
  }

  get status(): DeviceStatus {
    return this.current;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.loopDone = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loopDone;
    await this.transport.close();
  }

  /** Talks to the device until the line is lost (throw LineLost) or the device is stopped. */
  protected abstract session(): Promise<void>;

  /** Called when the line goes away, before the status changes (e.g. to fail a pending command). */
  protected onLineLost(_error: TransportError): void {}

  private async run(): Promise<void> {
    let delay = this.reconnect.reconnectBaseMs;
    while (this.running) {
      try {
        if (!this.troubled) {
          // While retrying after a failure the status keeps saying what is wrong until it works.
          this.setStatus('connecting', `正在连接${this.label}（${this.transport.path}）`);
        }
        await this.transport.open();
        this.openedOnce = true;
        this.lost = false;
        this.away = false;
        delay = this.reconnect.reconnectBaseMs;
        await this.session();
        if (this.lost) {
          throw new LineLost(`${this.label}已断开（${this.transport.path}）：请检查数据线和电源`);
        }
      } catch (e) {
        if (!this.running) {
          break;
        }
        const error = e as Partial<TransportError> & Error;
        // A port (or reader) that is missing after it was lost, or after it worked in this run (a reply
        // timed out while the cable was being pulled), is a device unplugged, not a fault; one missing
        // from the start is a configuration error.
        const gone =
          this.lost ||
          error instanceof LineLost ||
          error.disconnected === true ||
          ((this.away || this.openedOnce) && error.code === 'NOT_FOUND');
        this.away ||= this.lost || error instanceof LineLost || error.disconnected === true;
        this.setStatus(gone ? 'disconnected' : 'error', error.message);
        await this.transport.close().catch(() => undefined);
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.reconnect.reconnectMaxMs);
      }
    }
  }

  protected setStatus(state: DeviceState, message: string): void {
    if (this.current.state === state && this.current.message === message) {
      return;
    }
    this.current = { state, message, at: new Date() };
    (this.emit as (event: 'status', status: DeviceStatus) => boolean)('status', this.current);
  }

  /** Sleeps, but wakes at once when the device is stopped or the line is lost. */
  protected sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** In error or disconnected: what IT staff must see until the device works again. */
  private get troubled(): boolean {
    return this.current.state === 'error' || this.current.state === 'disconnected';
  }

  protected get active(): boolean {
    return this.running && !this.lost;
  }
}

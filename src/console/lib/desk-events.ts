/**
 * The desk's live events: a WebSocket to /api/v1/devices/events?desk=… (the staff cookie
 * authenticates it; the browser sends the same-origin Origin) that reconnects by itself with
 * growing delays (1 s, 2 s, 4 s … at most 30 s, a little jitter so a ward of desks does not
 * reconnect in step) and reports its state for the 连接中断/已恢复 indicator.
 * Framework-free: the socket and the timers are passed in, so it is unit-tested without a browser.
 */

/** connecting: first attempt; open; lost: dropped, retrying; restored: open again after a drop; closed: by us. */
export type LinkState = 'connecting' | 'open' | 'lost' | 'restored' | 'closed';

export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number): void;
}

export interface DeskEventsOptions {
  /** ws(s)://host/api/v1/devices/events?desk=… */
  url: string;
  onMessage(message: unknown): void;
  onState(state: LinkState, retryInMs?: number): void;
  /**
   * The gateway closed the connection because the staff session ended (close code 4401: logout, idle
   * expiry, account disabled): no reconnect; the page goes to the login.
   */
  onSessionEnded?(): void;
  createSocket?: (url: string) => SocketLike;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  random?: () => number;
}

/** The gateway's close code for a connection whose staff session has ended. */
export const SESSION_ENDED_CLOSE = 4401;

export const BACKOFF_START_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;

/** The delay before reconnect attempt `attempt` (0-based): doubling from 1 s, at most 30 s, plus up to 20 % jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** Math.min(attempt, 15));
  return Math.round(base * (1 + 0.2 * random()));
}

export function deskEventsUrl(location: { protocol: string; host: string }, desk: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/v1/devices/events?desk=${encodeURIComponent(desk)}`;
}

/** Every desk's events at once (IT staff only). */
export function allDesksEventsUrl(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/v1/devices/events`;
}

export class DeskEvents {
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private everOpened = false;
  private stopped = false;
  private readonly createSocket: (url: string) => SocketLike;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private readonly random: () => number;

  constructor(private readonly options: DeskEventsOptions) {
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url) as unknown as SocketLike);
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
    this.random = options.random ?? Math.random;
  }

  start(): void {
    this.stopped = false;
    this.options.onState('connecting');
    this.connect();
  }

  /** Closes for good (page left, logout): no reconnect. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000);
    }
    this.options.onState('closed');
  }

  private connect(): void {
    const socket = this.createSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.options.onState(this.everOpened ? 'restored' : 'open');
      this.everOpened = true;
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data !== 'string') {
        return;
      }
      try {
        this.options.onMessage(JSON.parse(ev.data) as unknown);
      } catch {
        // Not JSON: the gateway sends only JSON, so this is not ours to show.
      }
    };
    // A refused or dropped connection ends in close (error comes first, without details).
    socket.onerror = () => undefined;
    socket.onclose = (ev) => {
      if (this.stopped || this.socket !== socket) {
        return;
      }
      this.socket = null;
      if ((ev as { code?: unknown } | null)?.code === SESSION_ENDED_CLOSE) {
        this.stopped = true;
        this.options.onState('closed');
        this.options.onSessionEnded?.();
        return;
      }
      const delay = backoffDelay(this.attempt, this.random);
      this.attempt += 1;
      this.options.onState('lost', delay);
      this.timer = this.setTimer(() => {
        this.timer = null;
        if (!this.stopped) {
          this.connect();
        }
      }, delay);
    };
  }
}

import { Client } from 'pg';

export type ListenerState = 'connecting' | 'listening' | 'reconnecting' | 'stopped';

/** What /health shows of the LISTEN connection. */
export interface ListenerStatus {
  state: ListenerState;
  /** When the connection last reached `state`. */
  since: Date;
  /** Failed attempts since the connection was last up. */
  attempts: number;
  lastError: string | null;
}

export interface PgListenerOptions {
  connectionString: string;
  /** The channel (an SQL identifier, quoted as given). */
  channel: string;
  onNotification: (payload: string) => void;
  /** Told every change of state (for the log). */
  onState?: (status: ListenerStatus) => void;
  /** The first retry waits this long, each next one twice as long, up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  applicationName?: string;
}

/**
 * One dedicated PostgreSQL connection that LISTENs on one channel. When the connection is lost (a
 * PostgreSQL restart, a failover, a cut network) it connects again by itself, waiting
 * initialBackoffMs, then twice as long each time up to maxBackoffMs, and LISTENs again.
 * Notifications sent while it was away are not replayed (NOTIFY is not durable).
 */
export class PgListener {
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: ListenerStatus = { state: 'connecting', since: new Date(), attempts: 0, lastError: null };
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: PgListenerOptions) {
    this.initialBackoffMs = options.initialBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
  }

  get status(): ListenerStatus {
    return { ...this.current };
  }

  /** Connects and LISTENs; resolves once listening or, when the first attempt fails, once a retry is scheduled. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const client = this.client;
    this.client = undefined;
    this.setState('stopped', null);
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) {
      return;
    }
    const client = new Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName ?? 'gongshang-gateway-listen',
      keepAlive: true,
    });
    let lost = false;
    const onLost = (err?: Error): void => {
      if (lost) {
        return;
      }
      lost = true;
      if (this.client === client) {
        this.client = undefined;
      }
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.retry(err?.message ?? 'connection ended');
      }
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => {
      if (n.channel === this.options.channel && n.payload !== undefined) {
        this.options.onNotification(n.payload);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (e) {
      onLost(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (this.stopped || lost) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.current.attempts = 0;
    this.setState('listening', null);
  }

  private retry(reason: string): void {
    const attempts = this.current.attempts + 1;
    this.current.attempts = attempts;
    this.setState('reconnecting', reason);
    const wait = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.min(attempts - 1, 20));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), wait);
    this.timer.unref();
  }

  private setState(state: ListenerState, error: string | null): void {
    const changed = this.current.state !== state;
    this.current = {
      state,
      since: changed ? new Date() : this.current.since,
      attempts: this.current.attempts,
      lastError: error ?? (state === 'listening' ? null : this.current.lastError),
    };
    this.options.onState?.(this.status);
  }
}

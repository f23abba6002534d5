/**
 * Fault injection, switchable at run time: the failures a gateway must survive without losing
 * or duplicating a message. Applied to POST /api/transaction only; the /sandbox control routes
 * always answer (except while `down`, when nothing on the main port does).
 */
export interface FaultSettings {
  /** Wait this long before processing. */
  latencyMs: number;
  /** Wait a further 0..latencyJitterMs (uniform draw) before processing: an insurer's answers do not all take as long. */
  latencyJitterMs: number;
  /** 0..1: answer HTTP 503 before processing (nothing stored: safe to resend). */
  errorRate: number;
  /** Accept the request and never answer until the client gives up (not processed). */
  timeout: boolean;
  /** 0..1: process and store, then destroy the socket without replying (outcome UNKNOWN). */
  commitThenDrop: number;
  /** Close the listening socket: connections are refused (ECONNREFUSED) until down:false. */
  down: boolean;
  /**
   * 0..1: process and store, then answer a settlement (2207 / 2304) with a signed copy whose
   * fund_pay_sumamt is off by 0.01 yuan — a faulty insurer front end. The hospital's checks must
   * refuse it (needs-review); the stored reply, which 9201 returns, is right.
   */
  garbleSplit: number;
}

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({
  latencyMs: 0,
  latencyJitterMs: 0,
  errorRate: 0,
  timeout: false,
  commitThenDrop: 0,
  down: false,
  garbleSplit: 0,
});

const MAX_LATENCY_MS = 600_000;

/** Validates a (partial) fault patch from HTTP or code; returns the error text or the patch. */
export function parseFaultPatch(body: unknown): Partial<FaultSettings> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'body must be a JSON object';
  }
  const patch: Partial<FaultSettings> = {};
  for (const [key, value] of Object.entries(body)) {
    switch (key) {
      case 'latencyMs':
      case 'latencyJitterMs':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LATENCY_MS) {
          return `${key} must be an integer 0..${MAX_LATENCY_MS}`;
        }
        patch[key] = value;
        break;
      case 'errorRate':
      case 'commitThenDrop':
      case 'garbleSplit':
        if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
          return `${key} must be a number 0..1`;
        }
        patch[key] = value;
        break;
      case 'timeout':
      case 'down':
        if (typeof value !== 'boolean') {
          return `${key} must be true or false`;
        }
        patch[key] = value;
        break;
      default:
        return `unknown fault ${key}; known: ${Object.keys(NO_FAULTS).join(', ')}`;
    }
  }
  return patch;
}

/**
 * The current faults. `down` needs the listener (closing and reopening a socket is async), so
 * changes go through `set`, which awaits it; the other switches take effect at once.
 */
export class FaultControl {
  private settings: FaultSettings = { ...NO_FAULTS };

  constructor(
    private readonly applyDown: (down: boolean) => Promise<void>,
    private readonly random: () => number = Math.random,
  ) {}

  get(): FaultSettings {
    return { ...this.settings };
  }

  async set(patch: Partial<FaultSettings>): Promise<FaultSettings> {
    const parsed = parseFaultPatch(patch);
    if (typeof parsed === 'string') {
      throw new RangeError(parsed);
    }
    const wasDown = this.settings.down;
    this.settings = { ...this.settings, ...parsed };
    if (this.settings.down !== wasDown) {
      await this.applyDown(this.settings.down);
    }
    return this.get();
  }

  async reset(): Promise<FaultSettings> {
    return this.set({ ...NO_FAULTS });
  }

  /** How long this request waits before processing: latencyMs plus a uniform draw of 0..latencyJitterMs. */
  latencyNow(): number {
    const { latencyMs, latencyJitterMs } = this.settings;
    return latencyMs + (latencyJitterMs > 0 ? Math.floor(this.random() * (latencyJitterMs + 1)) : 0);
  }

  /** Draws whether this request gets a 503. */
  failNow(): boolean {
    return this.draw(this.settings.errorRate);
  }

  /** Draws whether this request's reply is dropped after commit. */
  dropNow(): boolean {
    return this.draw(this.settings.commitThenDrop);
  }

  /** Draws whether this settlement reply is garbled. */
  garbleNow(): boolean {
    return this.draw(this.settings.garbleSplit);
  }

  private draw(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }
}

import { EventEmitter } from 'node:events';
import type { Clock } from '../platform';

export type LinkMode = 'normal' | 'emergency';

export interface LinkModeChange {
  mode: LinkMode;
  at: Date;
  /** When the insurer was last heard from (any verified reply). */
  lastContactAt: Date | null;
  /** How long it had been unreachable when emergency mode began. */
  unreachableForMs?: number;
}

export interface LinkMonitorOptions {
  /** Unreachable this long (no verified reply, only failures) → emergency mode. */
  emergencyAfterMs: number;
  /** In emergency mode, one probe message at most this often. */
  probeIntervalMs: number;
}

/**
 * The circuit breaker of the insurer link (协议 25: 应急预案). Every exchange reports here. After
 * the insurer has been unreachable for `emergencyAfterMs`, the link is in emergency mode: the
 * dispatcher sends only one probe per `probeIntervalMs`, new messages keep queueing, nothing is
 * dropped. The first verified reply ends it. Listeners (identity, the console) subscribe to
 * 'mode' events.
 */
export class LinkMonitor extends EventEmitter<{ mode: [LinkModeChange] }> {
  private currentMode: LinkMode = 'normal';
  private lastContact: Date | null = null;
  private failingSince: Date | null = null;
  private lastProbe = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: LinkMonitorOptions,
  ) {
    super();
  }

  get mode(): LinkMode {
    return this.currentMode;
  }

  get lastContactAt(): Date | null {
    return this.lastContact;
  }

  get unreachableSince(): Date | null {
    return this.failingSince;
  }

  /** A verified reply arrived (whatever its infcode): the insurer is there. */
  reachable(): void {
    const now = this.clock.now();
    this.lastContact = now;
    this.failingSince = null;
    if (this.currentMode === 'emergency') {
      this.currentMode = 'normal';
      this.emit('mode', { mode: 'normal', at: now, lastContactAt: now });
    }
  }

  /** No usable answer: refused, timed out, dropped, 5xx. */
  unreachable(): void {
    const now = this.clock.now();
    this.failingSince ??= now;
    const downFor = now.getTime() - this.failingSince.getTime();
    if (this.currentMode === 'normal' && downFor >= this.options.emergencyAfterMs) {
      this.currentMode = 'emergency';
      this.emit('mode', { mode: 'emergency', at: now, lastContactAt: this.lastContact, unreachableForMs: downFor });
    }
  }

  /** How many messages the dispatcher may take now: all it can in normal mode, one probe at a time in emergency. */
  allowance(free: number): number {
    if (this.currentMode === 'normal') {
      return free;
    }
    const now = this.clock.now().getTime();
    if (now - this.lastProbe < this.options.probeIntervalMs) {
      return 0;
    }
    this.lastProbe = now;
    return Math.min(1, free);
  }
}

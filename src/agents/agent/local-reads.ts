import type { LocalRead } from './agent-state';
import { eventTime } from './journal/offline-policy';

/** What the localhost reader service asks for: which kinds, optionally one device, how fresh, how long to wait. */
export interface LocalReadQuery {
  /** Event types wanted ('id-card', 'ssse-card', 'scan'); empty: any. */
  kinds: readonly string[];
  deviceId?: string;
  /** A held read older than this is not handed out (a card read minutes ago is not this patient's). */
  maxAgeMs: number;
  /** How long to wait for a new read when none is fresh. */
  waitMs: number;
}

/**
 * The desk's latest reads for the agent's localhost reader service (docs/agents.md): each device's
 * last card read or scan, and the pages waiting for the next one. Kept apart from the link: a read is
 * offered here whatever the centre's state.
 */
export class LocalReads {
  private readonly latest = new Map<string, LocalRead>();
  private readonly waiters = new Set<(read: LocalRead) => boolean>();

  constructor(private readonly now: () => Date) {}

  /** A read as it happened at this desk: kept as the device's latest and handed to the first page waiting for its kind. */
  record(read: LocalRead): void {
    this.latest.set(read.deviceId, read);
    for (const waiter of [...this.waiters]) {
      waiter(read);
    }
  }

  /** The freshest wanted read held (not older than maxAgeMs, not from the future), else the next one within waitMs, else null. */
  read(query: LocalReadQuery): Promise<LocalRead | null> {
    const wanted = (r: LocalRead): boolean =>
      (query.kinds.length === 0 || query.kinds.includes(r.type)) &&
      (query.deviceId === undefined || r.deviceId === query.deviceId);
    const now = this.now().getTime();
    const fresh = [...this.latest.values()]
      .filter((r) => wanted(r) && now - eventTime(r).getTime() <= query.maxAgeMs && now >= eventTime(r).getTime())
      .sort((a, b) => eventTime(b).getTime() - eventTime(a).getTime());
    if (fresh.length > 0) {
      return Promise.resolve(fresh[0]);
    }
    return new Promise((resolve) => {
      const waiter = (r: LocalRead): boolean => {
        if (!wanted(r)) {
          return false;
        }
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(r);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(null);
      }, query.waitMs);
      this.waiters.add(waiter);
    });
  }
}

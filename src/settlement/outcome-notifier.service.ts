import { Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { ClusterBus } from '../platform';

/** The cluster topic that says a settlement's outcome was recorded (its id only: no personal data). */
export const SETTLEMENT_OUTCOME_TOPIC = 'settlement-outcome';

/**
 * Wake-ups for requests waiting on a settlement's outcome: the outcome hook calls `notify(id)` after
 * its transaction committed; `wait(id, ms)` resolves on that or at the deadline, whichever comes
 * first. No database polling: the waiter reads the record once when woken (and once at the deadline).
 *
 * Several instances on one PostgreSQL: the outcome is often recorded by another instance's
 * dispatcher (it claimed the message), so `notify` also tells the other instances (ClusterBus, the
 * settlement id only) and a waiter anywhere wakes at once instead of at its deadline. On SQLite
 * (one instance) it stays in the process.
 */
@Injectable()
export class OutcomeNotifier implements OnModuleInit, OnApplicationShutdown {
  private readonly waiters = new Map<string, Set<() => void>>();
  private unsubscribe: (() => void) | undefined;

  constructor(@Optional() private readonly bus?: ClusterBus) {}

  onModuleInit(): void {
    if (this.bus?.shared) {
      this.unsubscribe = this.bus.subscribe(SETTLEMENT_OUTCOME_TOPIC, (body) => {
        const id = (body as { settlementId?: unknown } | null)?.settlementId;
        if (typeof id === 'string') {
          this.wake(id);
        }
      });
    }
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  notify(settlementId: string): void {
    this.wake(settlementId);
    if (this.bus?.shared) {
      this.bus.publish(SETTLEMENT_OUTCOME_TOPIC, { settlementId });
    }
  }

  /** Resolves true when notified, false at the deadline. */
  wait(settlementId: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const set = this.waiters.get(settlementId) ?? new Set<() => void>();
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(settlementId) === set) {
          this.waiters.delete(settlementId);
        }
        resolve(false);
      }, ms);
      timer.unref?.();
      set.add(wake);
      this.waiters.set(settlementId, set);
    });
  }

  private wake(settlementId: string): void {
    const set = this.waiters.get(settlementId);
    this.waiters.delete(settlementId);
    set?.forEach((wake) => wake());
  }
}

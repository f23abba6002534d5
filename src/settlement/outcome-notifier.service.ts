import { Injectable } from '@nestjs/common';

/**
 * In-process wake-ups for requests waiting on a settlement's outcome: the outcome hook calls
 * `notify(id)` after its transaction committed; `wait(id, ms)` resolves on that or at the deadline,
 * whichever comes first. No database polling: the waiter reads the record once when woken (and
 * once at the deadline, since another gateway instance may have settled it).
 */
@Injectable()
export class OutcomeNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  notify(settlementId: string): void {
    const set = this.waiters.get(settlementId);
    this.waiters.delete(settlementId);
    set?.forEach((wake) => wake());
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
}

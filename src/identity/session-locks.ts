import { Injectable } from '@nestjs/common';

/**
 * One change at a time per key, in this process: per session id (evidence may arrive from several
 * devices at once) and per desk (`desk:<desk>`: a device event and HIS must not open two sessions
 * at once). Work for a key waits for the work queued before it, whether that succeeded or failed.
 */
@Injectable()
export class SessionLocks {
  private readonly locks = new Map<string, Promise<unknown>>();

  /** The lock key of a desk's session bookkeeping. */
  static desk(desk: string): string {
    return `desk:${desk}`;
  }

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.locks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === next) {
        this.locks.delete(key);
      }
    }
  }

  /** Keys with work queued or running (for tests). */
  get size(): number {
    return this.locks.size;
  }
}

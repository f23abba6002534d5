import { Injectable } from '@nestjs/common';
import { ClusterLocks } from '../platform';

/**
 * One change at a time per key, across every gateway instance on the database (ClusterLocks: an
 * in-process queue, and on PostgreSQL an advisory lock): per session id (evidence may arrive from
 * several devices at once, and HIS may call another instance than the desk's devices are on) and per
 * desk (`desk:<desk>`: a device event and HIS must not open two sessions at once). Always take a
 * desk's lock before a session's. Work for a key waits for the work queued before it, whether that
 * succeeded or failed.
 */
@Injectable()
export class SessionLocks {
  constructor(private readonly locks: ClusterLocks) {}

  /** The lock key of a desk's session bookkeeping. */
  static desk(desk: string): string {
    return `desk:${desk}`;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.locks.run(`identity:${key}`, work);
  }

  /** Keys with work queued or running in this process (for tests). */
  get size(): number {
    return this.locks.size;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The seam through which services get a unit of work without touching the `DataSource`: a service
 * opens a transaction here and hands its `EntityManager` to the repositories (and to
 * `AuditService.record`, `OutboxService.enqueue`) so that everything it changes commits or rolls back
 * together. Repositories own the SQL; services own the order of things.
 *
 * On SQLite `transaction()` is gated (see sqlite-gate.ts): one transaction at a time on the one connection.
 */
@Injectable()
export class Transactions {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` in one transaction: it commits when `work` resolves and rolls back when it throws. */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** For reads that need no transaction (PostgreSQL lends a pooled connection per statement). */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }
}

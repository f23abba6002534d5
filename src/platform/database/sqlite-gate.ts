import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, QueryRunner } from 'typeorm';

/**
 * TypeORM's better-sqlite3 driver runs everything on one connection and one query runner. Two
 * transactions started by concurrent requests would interleave on it ("cannot start a
 * transaction within a transaction"), and a plain write from another request would silently
 * join — and roll back with — someone else's transaction.
 *
 * The gate serialises: one transaction at a time per database, and while one is open, queries
 * from outside it wait until it ends. Work inside the transaction is recognised through
 * AsyncLocalStorage and passes. PostgreSQL needs none of this (a pool of real connections).
 */
export class SqliteGate {
  private readonly owner = new AsyncLocalStorage<symbol>();
  private holder: symbol | undefined;
  private tail: Promise<void> = Promise.resolve();

  /** Runs `work` as the only transaction (or statement) on the connection. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.holder && this.owner.getStore() === this.holder) {
      return work(); // already inside: nested transactions become savepoints in TypeORM
    }
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    const token = Symbol('sqlite-transaction');
    this.holder = token;
    try {
      return await this.owner.run(token, work);
    } finally {
      this.holder = undefined;
      release();
    }
  }

  /** A single statement: runs at once unless another flow's transaction is open. */
  async statement<T>(work: () => Promise<T>): Promise<T> {
    if (!this.holder || this.owner.getStore() === this.holder) {
      return work();
    }
    return this.exclusive(work);
  }

  inOwnTransaction(): boolean {
    return this.holder !== undefined && this.owner.getStore() === this.holder;
  }
}

const gates = new WeakMap<DataSource, SqliteGate>();

/** The gate of a SQLite DataSource; undefined for PostgreSQL. */
export function sqliteGateOf(dataSource: DataSource): SqliteGate | undefined {
  return gates.get(dataSource);
}

/** Runs `work` exclusively on SQLite (for TypeORM APIs that open transactions themselves, like migrations). */
export async function exclusively<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const gate = gates.get(dataSource);
  return gate ? gate.exclusive(work) : work();
}

/** Installs the gate on an initialised better-sqlite3 DataSource. */
export function gateSqlite(dataSource: DataSource): void {
  if (dataSource.options.type !== 'better-sqlite3' || gates.has(dataSource)) {
    return;
  }
  const gate = new SqliteGate();
  gates.set(dataSource, gate);
  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  (manager as { transaction: unknown }).transaction = (...args: unknown[]) =>
    gate.exclusive(() => transaction(...args));

  const runner: QueryRunner = dataSource.createQueryRunner(); // the driver's single shared runner
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  (runner as { query: unknown }).query = (...args: unknown[]) => gate.statement(() => query(...args));
  const startTransaction = runner.startTransaction.bind(runner);
  runner.startTransaction = async (...args: Parameters<QueryRunner['startTransaction']>) => {
    if (!gate.inOwnTransaction()) {
      // Only repository.save()/remove() outside a transaction get here: they would open an
      // ungated transaction. Fail loudly instead of corrupting a concurrent request's work.
      throw new Error(
        'On SQLite, open transactions with dataSource.transaction(...); call save()/remove() inside one or with { transaction: false }',
      );
    }
    return startTransaction(...args);
  };
}

import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Pool, type PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { advisoryKey, postgresUrlOf, schemaOf } from './cluster-names';

/** The PostgreSQL connection an outermost `run` holds its advisory locks on, for the runs nested in it. */
interface Holding {
  client: PoolClient;
  released: boolean;
}

/**
 * One piece of work at a time per key — across every gateway instance on the database.
 *
 * In this process, work for a key waits for the work queued before it (whether that succeeded or
 * failed), so waiters of one process never hold a database connection while they wait. On
 * PostgreSQL the work then also holds a session advisory lock on the key (`pg_advisory_lock`) on a
 * connection of a small pool of its own — separate from the pool the work itself queries with, so
 * holders can never starve their own work of connections. A `run` nested in another (a desk's lock,
 * then the session's) takes its lock on the outer run's connection: one connection per outermost
 * holder. Nest locks in one order everywhere (desk before session) so that they cannot deadlock.
 * A lost connection frees its locks (PostgreSQL ends the session); the work in progress finishes.
 * On SQLite (one instance) the in-process queue is all there is.
 */
@Injectable()
export class ClusterLocks implements OnApplicationShutdown {
  private readonly logger = new Logger(ClusterLocks.name);
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly holding = new AsyncLocalStorage<Holding>();
  private readonly url: string | undefined;
  private readonly schema: string;
  private readonly poolSize: number;
  private pool: Pool | undefined;
  private closed = false;

  constructor(dataSource: DataSource) {
    this.url = postgresUrlOf(dataSource);
    this.schema = schemaOf(dataSource);
    const max = (dataSource.options as { extra?: { max?: number } }).extra?.max;
    this.poolSize = typeof max === 'number' && max > 0 ? max : 10;
  }

  /** Runs `work` holding `key` (in this process, and on PostgreSQL across instances). */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => (this.url === undefined ? work() : this.shared(key, work)));
    this.queues.set(key, next);
    try {
      return await next;
    } finally {
      if (this.queues.get(key) === next) {
        this.queues.delete(key);
      }
    }
  }

  /** Keys with work queued or running in this process (for tests). */
  get size(): number {
    return this.queues.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  private async shared<T>(key: string, work: () => Promise<T>): Promise<T> {
    const lockKey = advisoryKey(this.schema, key);
    const outer = this.holding.getStore();
    if (outer && !outer.released) {
      await outer.client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
      try {
        return await work();
      } finally {
        // Not waited for: the connection runs its queries in order, so the outer unlock comes after it.
        outer.client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]).catch(() => undefined);
      }
    }
    const client = await this.connections().connect();
    // While checked out, a pooled client's errors are the holder's to catch (an unhandled one ends the process).
    let broken: Error | undefined;
    const onError = (e: Error): void => {
      broken = e;
      this.logger.warn({ err: e, key }, 'cluster: the connection holding a lock was lost; the lock is free again');
    };
    client.on('error', onError);
    const holding: Holding = { client, released: false };
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
      return await this.holding.run(holding, work);
    } finally {
      holding.released = true;
      // The work is done: the caller need not wait for the unlock (another holder waits in PostgreSQL until
      // it lands). The connection goes back to the pool once it has.
      const unlocked = broken
        ? Promise.resolve()
        : client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]).then(
            () => undefined,
            (e: Error) => {
              broken = e;
            },
          );
      void unlocked.then(() => {
        client.off('error', onError);
        client.release(broken);
      });
    }
  }

  private connections(): Pool {
    if (this.closed) {
      throw new Error('cluster locks: the gateway is shutting down');
    }
    if (!this.pool) {
      this.pool = new Pool({
        connectionString: this.url,
        max: this.poolSize,
        application_name: 'gongshang-gateway-locks',
        idleTimeoutMillis: 30_000,
      });
      this.pool.on('error', (e) => this.logger.warn({ err: e }, 'cluster: an idle lock connection was lost'));
    }
    return this.pool;
  }
}

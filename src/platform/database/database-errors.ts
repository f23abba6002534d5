import type { DataSource } from 'typeorm';

/**
 * Telling "the database is away" (a PostgreSQL restart, a failover, a dropped network) from every
 * other error, so that requests caught by it answer 503 DATABASE_UNAVAILABLE ("retry shortly")
 * instead of a 500, and /health can say why the database is down.
 *
 * What counts, and only when it comes from the database driver:
 * - SQLSTATE class 08 (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown,
 *   57P03 cannot_connect_now (starting up / shutting down), 53300 too_many_connections, 25006
 *   read_only_sql_transaction (a write that reached a standby: the failover is not finished);
 * - a socket error of the database connection (ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, …);
 * - pg's own messages for a connection that died ("Connection terminated unexpectedly", "… is not
 *   queryable", "timeout exceeded when trying to connect").
 *
 * "From the driver" means: TypeORM's QueryFailedError wrapping it (`driverError`), a pg DatabaseError
 * (it carries `severity`), or an error of obtaining a pooled connection, which markConnectionErrors()
 * tags — a plain ECONNREFUSED from anywhere else (the insurer's HTTP link) is not the database's.
 */

/** 25006 read_only_sql_transaction: a write reached a standby (a failover not finished, or the URL leads to the replica). */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '25006']);
const SOCKET_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const DRIVER_MESSAGES = [
  /connection terminated/i,
  /is not queryable/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
];

/** Errors of obtaining a pooled connection (tagged by markConnectionErrors). */
const connectionErrors = new WeakSet<object>();

/** Whether `err` means the database cannot be reached right now (see the rules above). */
export function isDatabaseUnavailable(err: unknown): boolean {
  return databaseUnavailableCause(err) !== undefined;
}

/**
 * The driver's error that makes `err` a "database unavailable" (for logs and /health), or undefined
 * when it is some other error. Follows TypeORM's `driverError` and `cause` a few levels down.
 */
export function databaseUnavailableCause(err: unknown): Error | undefined {
  let current: unknown = err;
  let fromDriver = false;
  for (let depth = 0; depth < 5 && isObject(current); depth++) {
    fromDriver ||= connectionErrors.has(current);
    if (isUnavailableError(current, fromDriver)) {
      return current instanceof Error
        ? current
        : new Error(typeof current.message === 'string' ? current.message : 'database unavailable');
    }
    if ('driverError' in current && isObject(current.driverError)) {
      fromDriver = true; // TypeORM's QueryFailedError: what it wraps is the driver's
      current = current.driverError;
    } else if ('cause' in current && isObject(current.cause)) {
      current = current.cause;
    } else {
      return undefined;
    }
  }
  return undefined;
}

function isUnavailableError(e: Record<string, unknown>, fromDriver: boolean): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  const isPgServerError = typeof e.severity === 'string' && /^[0-9A-Z]{5}$/.test(code);
  if ((isPgServerError || fromDriver) && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code))) {
    return true;
  }
  if (!fromDriver) {
    return false;
  }
  const message = typeof e.message === 'string' ? e.message : '';
  return SOCKET_ERRNOS.has(code) || DRIVER_MESSAGES.some((m) => m.test(message));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * On PostgreSQL, makes every way a lost database shows up to a query recognisable:
 * - errors of obtaining a pooled connection (refused, the server starting up or shutting down, a
 *   connect timeout) are tagged — TypeORM rethrows those unwrapped;
 * - a connection that dies between two statements of a transaction (the server's 57P01 arrives while
 *   no query runs): TypeORM gives the broken connection back to the pool, which drops it, and marks
 *   its query runner released, so the transaction's next statement would fail with "Query runner
 *   already released" — which says nothing about the database. The runner stays usable here instead,
 *   and that statement fails on the dead connection with pg's own "… not queryable" error.
 * Errors of a query on a live connection are TypeORM's QueryFailedError wrapping the driver's already.
 */
export function markConnectionErrors(dataSource: DataSource): void {
  if (dataSource.options.type !== 'postgres') {
    return;
  }
  const driver = dataSource.driver as unknown as {
    obtainMasterConnection: () => Promise<unknown>;
    createQueryRunner: (mode: string) => PgQueryRunner;
  };
  const obtain = driver.obtainMasterConnection.bind(driver);
  driver.obtainMasterConnection = () =>
    obtain().catch((err: unknown) => {
      if (isObject(err)) {
        connectionErrors.add(err);
      }
      throw err;
    });
  const create = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode: string) => keepUntilReleased(create(mode));
}

/** What TypeORM's PostgresQueryRunner has that this file uses. */
interface PgQueryRunner {
  isReleased: boolean;
  releasePostgresConnection?: (err?: unknown) => Promise<void>;
}

function keepUntilReleased(runner: PgQueryRunner): PgQueryRunner {
  const releaseWith = runner.releasePostgresConnection?.bind(runner);
  if (!releaseWith) {
    return runner; // not the runner this was written for: leave it as it is
  }
  // TypeORM calls this with the error when the connection emits 'error' while the runner holds it.
  runner.releasePostgresConnection = async (err?: unknown) => {
    const lostWhileHeld = err !== undefined && !runner.isReleased;
    await releaseWith(err);
    if (lostWhileHeld) {
      // The pool has dropped the connection; the runner's owner releases it as usual (a no-op then).
      runner.isReleased = false;
    }
  };
  return runner;
}

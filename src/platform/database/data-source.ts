import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/gateway-config';
import { parseDatabaseUrl, DatabaseTarget } from './database-url';
import { Logger } from '@nestjs/common';
import { markConnectionErrors } from './database-errors';
import { exclusively, gateSqlite } from './sqlite-gate';
import type { DatabaseSchema } from '../gateway-feature';

/** How long SQLite waits for a lock held by another connection before giving up. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * PostgreSQL: how long obtaining a new connection may take before the request fails (503
 * DATABASE_UNAVAILABLE) rather than hang — a failover that moves a virtual IP drops packets, it does
 * not refuse them.
 */
const PG_CONNECT_TIMEOUT_MS = 5000;
/** PostgreSQL: TCP keepalive finds a connection whose server vanished (failover) while it sat idle. */
const PG_KEEPALIVE_DELAY_MS = 10_000;

const poolLogger = new Logger('Database');

/** `schema`: the features' tables and migrations (src/gateway.features.ts: GATEWAY_SCHEMA). */
export function buildDataSourceOptions(db: DatabaseConfig, dataDir: string, schema: DatabaseSchema): DataSourceOptions {
  const target: DatabaseTarget = parseDatabaseUrl(db.url, dataDir);
  const common = {
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false, // run explicitly by runMigrations(), under a lock
    logging: false,
  } as const;
  if (target.kind === 'sqlite') {
    requireSqliteDriver();
    if (target.file !== ':memory:') {
      mkdirSync(dirname(target.file), { recursive: true });
    }
    return {
      ...common,
      type: 'better-sqlite3',
      database: target.file,
      enableWAL: target.file !== ':memory:',
      prepareDatabase: (raw: { pragma(sql: string): unknown }) => {
        raw.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
        raw.pragma('foreign_keys = ON');
        raw.pragma('synchronous = NORMAL');
        // Residual information (等保 剩余信息保护): deleted and overwritten rows — pruned sessions, a
        // re-encrypted field's old ciphertext, pruned audit entries — are zeroed in the file, not left
        // readable in free pages.
        raw.pragma('secure_delete = ON');
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: target.url,
    schema: db.schema || undefined,
    connectTimeoutMS: PG_CONNECT_TIMEOUT_MS,
    // An idle pooled connection that dies (PostgreSQL restarted, failover) is dropped from the pool
    // and reported here; without a handler its 'error' event would end the process. The pool opens
    // new connections on demand, so the gateway reconnects by itself.
    poolErrorHandler: (err: unknown) =>
      poolLogger.warn(
        { err: err instanceof Error ? { message: err.message, code: (err as { code?: unknown }).code } : err },
        'a pooled PostgreSQL connection was lost; the next query opens a new one',
      ),
    extra: {
      max: db.poolSize,
      application_name: 'gongshang-gateway',
      keepAlive: true,
      keepAliveInitialDelayMillis: PG_KEEPALIVE_DELAY_MS,
      // Raw SQL (triggers, functions in migrations) must land in the same schema as the entities.
      ...(db.schema ? { options: `-c search_path=${db.schema}` } : {}),
    },
  };
}

/** An initialised DataSource; on SQLite with the transaction gate installed (see sqlite-gate.ts). */
export async function openDataSource(db: DatabaseConfig, dataDir: string, schema: DatabaseSchema): Promise<DataSource> {
  return initializeDataSource(new DataSource(buildDataSourceOptions(db, dataDir, schema)));
}

export async function initializeDataSource(dataSource: DataSource): Promise<DataSource> {
  await dataSource.initialize();
  gateSqlite(dataSource);
  markConnectionErrors(dataSource);
  return dataSource;
}

/** Reverts the newest migration (tests, and recovery by hand). */
export async function undoLastMigration(dataSource: DataSource): Promise<void> {
  await exclusively(dataSource, () => dataSource.undoLastMigration({ transaction: 'each' }));
}

/** A constant key for pg_advisory_lock: "gwmg" in ASCII. */
const MIGRATION_LOCK_KEY = 0x67776d67;

/**
 * Applies pending migrations. On PostgreSQL, several gateway instances may start at once:
 * an advisory lock makes the others wait and then find nothing left to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type !== 'postgres') {
    const done = await exclusively(dataSource, () => dataSource.runMigrations({ transaction: 'each' }));
    return done.map((m) => m.name);
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (dataSource.options.schema) {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${dataSource.options.schema}"`);
    }
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const done = await dataSource.runMigrations({ transaction: 'each' });
      return done.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * better-sqlite3 is an optional dependency (a desk PC running only the agent needs no database and no
 * build tools): where its native build failed at `npm install`, SQLite says so and what to do.
 */
function requireSqliteDriver(): void {
  try {
    require.resolve('better-sqlite3');
  } catch {
    throw new Error(
      'the SQLite database needs the better-sqlite3 module, which is not installed (its native build failed at ' +
        'npm install?): install the build tools (Windows: Visual Studio Build Tools and Python; Linux: ' +
        'build-essential and python3) and run npm install again, or use PostgreSQL (database.url: postgres://…)',
    );
  }
}

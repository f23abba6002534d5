import { chmodSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeTarget, type GatewayConfig, parseDatabaseUrl } from '../platform';
import { CliError, CliOutput } from './cli-io';

/** The part of better-sqlite3 this command uses (the module is an optional dependency, loaded lazily). */
interface SqliteHandle {
  backup(
    file: string,
    options?: { progress?: (p: { totalPages: number; remainingPages: number }) => number },
  ): Promise<{
    totalPages: number;
    remainingPages: number;
  }>;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  prepare(sql: string): { get(): unknown; all(): unknown[]; run(...params: unknown[]): unknown };
  close(): void;
}
type SqliteConstructor = new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => SqliteHandle;

/**
 * `gateway backup <file>`: a consistent copy of the SQLite database while the gateway keeps running
 * (`VACUUM INTO`: one read transaction, so a snapshot), checked before it is kept: the copy must pass
 * `PRAGMA integrity_check` and hold the migrations and audit entries the source had around the copy. Copying the file with `cp`
 * while the gateway runs can give a torn copy (the write-ahead log is a separate file).
 *
 * PostgreSQL has its own tools (pg_dump, base backups with WAL archiving); the command says which.
 */
export async function backupCommand(config: GatewayConfig, rest: string[], out: CliOutput): Promise<number> {
  const file = rest[0];
  if (!file) {
    throw new CliError('use: backup <file> — a checked copy of the SQLite database, taken while the gateway runs');
  }
  const target = parseDatabaseUrl(config.database.url, config.dataDir);
  if (target.kind === 'postgres') {
    throw new CliError(
      `the database is PostgreSQL (${describeTarget(target)}): back it up with PostgreSQL's own tools, e.g.\n` +
        `  pg_dump --format=custom --file ${file} "<database url>"\n` +
        'or base backups with WAL archiving for point-in-time recovery (docs/operations.md, "Backup and restore").',
    );
  }
  if (target.file === ':memory:') {
    throw new CliError('the database is in memory (sqlite::memory:): there is nothing on disk to back up');
  }
  if (!existsSync(target.file)) {
    throw new CliError(`the database file ${target.file} does not exist — check database.url and dataDir`);
  }
  const dest = resolve(file);
  if (existsSync(dest)) {
    throw new CliError(`${dest} exists already; a backup never overwrites a file — choose a new name`);
  }
  if (!existsSync(dirname(dest))) {
    throw new CliError(`the folder ${dirname(dest)} does not exist — create it first`);
  }
  if (resolve(target.file) === dest) {
    throw new CliError('the backup file cannot be the database itself');
  }

  const Database = require('better-sqlite3') as SqliteConstructor;
  const partial = `${dest}.partial`;
  rmSync(partial, { force: true });
  const source = new Database(target.file, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    if (!source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()) {
      throw new CliError(
        `${target.file} has no gateway tables: it is not the gateway's database, or it was never migrated (run: migrate)`,
      );
    }
    const before = counts(source);
    const sizeMb = megabytes(target.file);
    out.error(`backup: copying ${target.file} (${sizeMb} MB) to ${dest} …`);
    const started = Date.now();
    // One read transaction: a snapshot of the moment it starts, however much the gateway writes meanwhile
    // (in WAL mode readers do not block writers). SQLite's page-by-page backup API restarts whenever
    // another connection writes, so on a busy gateway it may never finish.
    source.prepare('VACUUM INTO ?').run(partial);
    const after = counts(source);
    const found = checkCopy(Database, partial);
    if (
      found.migrations < before.migrations ||
      found.migrations > after.migrations ||
      found.auditEntries < before.auditEntries ||
      found.auditEntries > after.auditEntries
    ) {
      throw new CliError(
        `the copy does not match the database (migrations ${found.migrations}, audit entries ${found.auditEntries}; ` +
          `the database had ${before.auditEntries}–${after.auditEntries}); nothing was kept — run the backup again`,
      );
    }
    chmodSync(partial, 0o600);
    renameSync(partial, dest);
    out.log(
      `Backed up ${target.file} to ${dest} (${megabytes(dest)} MB, ${Date.now() - started} ms): ` +
        `integrity check ok, ${found.migrations} migrations, ${found.auditEntries} audit entries.\n` +
        'Personal fields in it are encrypted: keep the PII keyring backed up too, but never next to this file.',
    );
    return 0;
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    source.close();
  }
}

function megabytes(file: string): string {
  return (statSync(file).size / 1024 / 1024).toFixed(1);
}

interface Counts {
  migrations: number;
  auditEntries: number;
}

function counts(db: SqliteHandle): Counts {
  const one = (sql: string): number => Number((db.prepare(sql).get() as { n: number }).n);
  return {
    migrations: one('SELECT COUNT(*) AS n FROM schema_migrations'),
    auditEntries: one('SELECT COUNT(*) AS n FROM audit_log'),
  };
}

/** Opens the copy read-only: it must pass SQLite's integrity check and have the gateway's tables. */
function checkCopy(Database: SqliteConstructor, file: string): Counts {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const problems = copy.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    if (problems.length !== 1 || problems[0].integrity_check !== 'ok') {
      throw new CliError(
        `the copy failed SQLite's integrity check (${problems
          .slice(0, 3)
          .map((p) => p.integrity_check)
          .join('; ')}); nothing was kept — check the disk, then run the backup again`,
      );
    }
    return counts(copy);
  } finally {
    copy.close();
  }
}

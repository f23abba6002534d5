import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A PostgreSQL cluster of the test's own, for tests that stop and restart the database: initdb into
 * a temp folder, its own port and socket folder, trust auth, fsync off. Never the shared server at
 * 5432 — other tests use that one.
 *
 * The server refuses to run as root: as root (CI's .ci/run) initdb and pg_ctl run as the `postgres`
 * user (installed with the postgresql package) on a folder it owns, through runuser.
 *
 * In CI (CI=true) missing binaries fail the test; elsewhere it is skipped with a note.
 */

const run = promisify(execFile);

/** The folder holding initdb and pg_ctl: GATEWAY_TEST_PG_BIN, else the newest /usr/lib/postgresql/<v>/bin. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.GATEWAY_TEST_PG_BIN;
  const candidates = fromEnv ? [fromEnv] : debianBinDirs();
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

function debianBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) {
    return [];
  }
  return readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'));
}

/**
 * Whether private clusters can run here. In CI a missing binary throws (the test must run there);
 * elsewhere it answers false after printing how to enable the test.
 */
export function privatePostgresAvailable(what: string): boolean {
  if (postgresBinDir()) {
    return true;
  }
  const hint =
    'install the postgresql package (initdb and pg_ctl in /usr/lib/postgresql/<v>/bin) or set GATEWAY_TEST_PG_BIN';
  if (process.env.CI === 'true') {
    throw new Error(`${what} needs a private PostgreSQL cluster: ${hint}`);
  }
  process.stderr.write(`\n[skip] ${what} skipped: ${hint}.\n`);
  return false;
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth). */
  readonly url: string;
  readonly port: number;
  /** Stops the server at once, as a restart does first (fast: sessions are terminated with 57P01). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops it (if running) and removes its folder (with its standby's). */
  remove(): Promise<void>;
  /** The server's log (for a failing test's message). */
  log(): string;
  /**
   * A streaming replica of this server (pg_basebackup -R), running on a port of its own; read-only
   * until `promote()` makes it a primary, as a failover does. Removed with this server.
   */
  startStandby(): Promise<PrivateStandby>;
}

export interface PrivateStandby {
  readonly url: string;
  readonly port: number;
  /** pg_ctl promote: the standby becomes a primary that takes writes. */
  promote(): Promise<void>;
}

/** initdb + start. Call remove() in a finally. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) {
    throw new Error('no PostgreSQL binaries (see privatePostgresAvailable)');
  }
  const root = mkdtempSync(join(tmpdir(), 'gw-private-pg-'));
  const asPostgres = await runAs(root);
  const primary = await server(bin, root, asPostgres, 'data');
  try {
    await asPostgres(join(bin, 'initdb'), [
      '-D',
      primary.data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
    ]);
    await primary.start();
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const standbys: Server[] = [];
  return {
    url: primary.url,
    port: primary.port,
    stop: primary.stop,
    start: primary.start,
    log: primary.log,
    startStandby: async () => {
      const standby = await server(bin, root, asPostgres, `standby${standbys.length + 1}`);
      standbys.push(standby);
      await asPostgres(join(bin, 'pg_basebackup'), [
        ...['-D', standby.data, '-R', '-X', 'stream', '-c', 'fast'],
        ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres'],
      ]);
      await standby.start();
      return { url: standby.url, port: standby.port, promote: standby.promote };
    },
    remove: async () => {
      try {
        for (const s of [...standbys, primary]) {
          await s.halt();
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

interface Server {
  readonly data: string;
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  promote(): Promise<void>;
  /** Immediate stop if running (clean-up). */
  halt(): Promise<void>;
  log(): string;
}

/** One server's folder, port and log under `root`, driven by pg_ctl. */
async function server(bin: string, root: string, asPostgres: Runner, name: string): Promise<Server> {
  const data = join(root, name);
  const logFile = join(root, `${name}.log`);
  const port = await freePort();
  const pgCtl = (...args: string[]) => asPostgres(join(bin, 'pg_ctl'), ['-D', data, ...args]);
  const serverOptions = [
    `-p ${port}`,
    `-k ${root}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=60',
    '-c shared_buffers=32MB',
  ].join(' ');
  let running = false;
  return {
    data,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => {
      await pgCtl('-o', serverOptions, '-l', logFile, '-w', '-t', '30', 'start');
      running = true;
    },
    stop: async () => {
      await pgCtl('-m', 'fast', '-w', '-t', '30', 'stop');
      running = false;
    },
    promote: () => pgCtl('-w', '-t', '30', 'promote'),
    halt: async () => {
      if (running) {
        await pgCtl('-m', 'immediate', '-w', '-t', '30', 'stop').catch(() => undefined);
        running = false;
      }
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };
}

type Runner = (file: string, args: string[]) => Promise<void>;

/** Runs PostgreSQL's programs as the current user, or as `postgres` (owning `root`) when we are root. */
async function runAs(root: string): Promise<Runner> {
  const exec: Runner = async (file, args) => {
    try {
      await run(file, args, { timeout: 60_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${file} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
    }
  };
  if (process.getuid?.() !== 0) {
    return exec;
  }
  const [uid, gid] = await Promise.all([idOf('-u'), idOf('-g')]);
  chownSync(root, uid, gid);
  return (file, args) => exec('runuser', ['-u', 'postgres', '--', file, ...args]);
}

async function idOf(flag: '-u' | '-g'): Promise<number> {
  try {
    const { stdout } = await run('id', [flag, 'postgres']);
    return Number(stdout.trim());
  } catch {
    throw new Error('running as root, PostgreSQL needs the `postgres` user (created by the postgresql package)');
  }
}

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

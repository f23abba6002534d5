/**
 * The morning-peak load test (`npm run load`): a mixed workload of identity verifications, trace-code
 * scans, form previews and settlements (see workload.ts for who does what) against one gateway
 * instance, then against two on the same PostgreSQL schema, with the sandbox insurer answering after
 * a realistic 50–150 ms. Prints, side by side for one and two instances: throughput and p50/p99 per
 * operation (and per step), errors (must be 0: the run exits 1 otherwise), the gateways' peak RSS
 * and CPU. Printed, never asserted: machines are shared and noisy.
 *
 * Every part is a real process: the gateways (dist/src/main.js, production mode, default settings,
 * logging at info to a file), the sandbox insurer (dist/src/sandbox/main.js) and the load client
 * (dist/test/load/client.js, plain node:http keep-alive; with two instances it sends requests
 * round-robin over both, as a load balancer would — no balancer process in between). This process
 * only starts them, creates the API key, samples /proc and prints.
 *
 * Knobs (environment):
 *   LOAD_SECONDS=24           timed seconds per configuration, split over LOAD_ROUNDS=2 rounds (each
 *                             after LOAD_WARMUP_SECONDS=3 of warm-up on fresh gateway processes)
 *   LOAD_CONNECTIONS=16       HIS connections, each drawing its operations from the mix (workload.ts WEIGHTS)
 *   LOAD_MIX=scan=1           another mix, e.g. only scans (unnamed operations are not drawn)
 *   LOAD_INSTANCES=1,2        the phases: instances in each
 *   LOAD_INSURER_MS=50-150    the insurer's answer time: uniform in the range (or one number)
 *   LOAD_PG_URL / GATEWAY_TEST_PG_URL   PostgreSQL (default postgres://postgres@127.0.0.1:5432/test);
 *                             a fresh schema is made and dropped afterwards
 *   LOAD_JSON=<file>          also write the report as JSON
 *   LOAD_KEEP=1               keep the temporary folder (the processes' logs, the config)
 * Rounds alternate between the configurations (1, 2, 1, 2 instances) so that drifts in the machine's
 * load hit both alike; each round starts fresh gateway processes on the same schema. The verified
 * visits the cashiers settle are made once, before the first round. The default run takes ~2–3 min.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { apiKeyServiceOn, auditServiceOn } from '../../src/platform/standalone';
import { SystemClock } from '../../src/platform/clock';
import { openDataSource } from '../../src/platform/database/data-source';
import { decodeKeyring, generateKeyringDocument, writeKeyringFile } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { writeSigningKey } from '../../src/upstream/signing-keys';
import type { DatabaseConfig } from '../../src/platform/config/gateway-config';
import { createPgSchema } from '../support/databases';
import { TEST_HOSPITAL } from '../support/test-config';
import { formatReport, type LoadReport, mergeUsage, type PhaseReport, type ProcessUsage } from './report';
import {
  type ClientMessage,
  mergeRounds,
  parseMix,
  type Prepared,
  type RoundResult,
  type RunnerMessage,
  shareOf,
} from './workload';

const DIST = join(__dirname, '..', '..');
const GATEWAY_MAIN = join(DIST, 'src', 'main.js');
const SANDBOX_MAIN = join(DIST, 'src', 'sandbox', 'main.js');
const CLIENT_MAIN = join(__dirname, 'client.js');

const SECONDS = Number(process.env.LOAD_SECONDS ?? 24);
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 2);
const PREVIEW_VISITS = 8;
const MIX = parseMix(process.env.LOAD_MIX);
const WARMUP = Number(process.env.LOAD_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 16);
const PHASES = (process.env.LOAD_INSTANCES ?? '1,2').split(',').map((s) => Number(s.trim()));
const PG_URL = process.env.LOAD_PG_URL ?? process.env.GATEWAY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const INSURER_MS = parseRange(process.env.LOAD_INSURER_MS ?? '50-150');

function parseRange(text: string): { low: number; high: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!m || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
    throw new Error(`LOAD_INSURER_MS must be <ms> or <low>-<high>, got ${text}`);
  }
  return { low: Number(m[1]), high: Number(m[2] ?? m[1]) };
}

/** A child process whose stdout goes to a log file once it printed `ready` (a regex on its first output). */
interface Started {
  name: string;
  child: ChildProcess;
  match: RegExpExecArray;
  stop(): Promise<void>;
}

function startProcess(name: string, args: string[], ready: RegExp, logFile: string): Promise<Started> {
  // The caller's own GW_* variables must not leak into the gateways' configuration.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('GW_') && k !== 'GATEWAY_CONFIG'),
  );
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  const exited = new Promise<void>((resolve) =>
    child.once('close', () => {
      log.end();
      resolve();
    }),
  );
  let head = '';
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
    log.write(d);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready within 60 s:\n${head}\n${tail}`)), 60_000);
    const onData = (d: Buffer): void => {
      log.write(d);
      head += d.toString();
      const match = ready.exec(head);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.pipe(log, { end: false }); // stderr writes to it too; closed at exit
        head = '';
        resolve({
          name,
          child,
          match,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
              await exited;
              clearTimeout(killer);
            }
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${head}\n${tail}`));
    });
  });
}

/** /proc/<pid>: resident set (kB) and CPU seconds so far; undefined where there is no /proc (not Linux). */
function procSample(pid: number | undefined): { rssKb: number; cpuSeconds: number } | undefined {
  if (pid === undefined) {
    return undefined;
  }
  try {
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    // Fields after the command (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return rss ? { rssKb: Number(rss[1]), cpuSeconds: ticks / 100 } : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the processes' RSS every 100 ms between start() and end(): peak RSS and CPU used in between. */
class UsageSampler {
  private readonly first = new Map<string, { rssKb: number; cpuSeconds: number } | undefined>();
  private readonly peak = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private startedAt = 0;

  constructor(private readonly processes: Array<{ name: string; pid: number | undefined }>) {}

  start(): void {
    this.startedAt = Date.now();
    for (const p of this.processes) {
      this.first.set(p.name, procSample(p.pid));
    }
    this.timer = setInterval(() => this.sample(), 100);
  }

  private sample(): void {
    for (const p of this.processes) {
      const s = procSample(p.pid);
      if (s) {
        this.peak.set(p.name, Math.max(this.peak.get(p.name) ?? 0, s.rssKb));
      }
    }
  }

  end(): ProcessUsage[] {
    clearInterval(this.timer);
    this.sample();
    const seconds = (Date.now() - this.startedAt) / 1000;
    return this.processes.map((p) => {
      const a = this.first.get(p.name);
      const b = procSample(p.pid);
      return {
        name: p.name,
        startRssMb: a ? a.rssKb / 1024 : null,
        peakRssMb: this.peak.has(p.name) ? (this.peak.get(p.name) as number) / 1024 : null,
        cpuPercent: a && b ? (100 * (b.cpuSeconds - a.cpuSeconds)) / seconds : null,
      };
    });
  }
}

function beijingToday(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** An API key for HIS with the four scopes, made as `gateway apikey create` makes one. */
async function createApiKey(
  database: DatabaseConfig,
  dir: string,
  keyring: ReturnType<typeof generateKeyringDocument>,
): Promise<string> {
  const ds = await openDataSource({ ...database, migrateOnStart: false }, dir, GATEWAY_SCHEMA);
  try {
    const clock = new SystemClock();
    const audit = auditServiceOn(ds, new PiiCryptoService(decodeKeyring(keyring)), clock);
    const created = await apiKeyServiceOn(ds, audit, clock).create(
      { name: 'HIS (load test)', scopes: ['identity', 'trace-codes', 'forms', 'settlement'] },
      { type: 'system', id: 'load-test' },
    );
    return created.token;
  } finally {
    await ds.destroy();
  }
}

/** Runs a client process for one message; with `watched`, samples their usage over the timed window. */
function runClient<T>(
  message: RunnerMessage,
  answer: (m: ClientMessage) => T | undefined,
  watched: Array<{ name: string; pid: number | undefined }> = [],
): Promise<{ value: T; usage: ProcessUsage[] }> {
  const client = fork(CLIENT_MAIN, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const sampler = new UsageSampler([...watched, { name: 'load client', pid: client.pid }]);
  let usage: ProcessUsage[] = [];
  return new Promise((resolve, reject) => {
    let done = false;
    client.on('message', (m: ClientMessage) => {
      if (m.type === 'window') {
        if (m.state === 'start') {
          sampler.start();
        } else {
          usage = sampler.end();
        }
      } else if (m.type === 'failed') {
        done = true;
        reject(new Error(`load client failed: ${m.error}`));
      } else {
        const value = answer(m);
        if (value !== undefined) {
          done = true;
          resolve({ value, usage });
        }
      }
    });
    client.once('exit', (code) => {
      if (!done) {
        reject(new Error(`load client exited with ${code} without a result`));
      }
    });
    client.send(message);
  });
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-load-'));
  const started: Started[] = [];
  let dropSchema: (() => Promise<void>) | undefined;
  const t0 = Date.now();
  const loadAtStart = loadavg()[0];
  const stopAll = async (list: Started[]): Promise<void> => {
    await Promise.all(list.map((s) => s.stop()));
    for (const s of list) {
      started.splice(started.indexOf(s), 1);
    }
  };
  // Interrupted, or its output closed (`npm run load | head`): the processes stop and the schema goes anyway.
  const abandon = (code: number) => (): void => {
    void Promise.all(started.map((s) => s.stop()))
      .then(() => dropSchema?.())
      .finally(() => process.exit(code));
  };
  process.once('SIGINT', abandon(130));
  process.once('SIGTERM', abandon(143));
  process.once('SIGHUP', abandon(129));
  process.stdout.once('error', abandon(1));
  try {
    writeSigningKey(join(dir, 'signing.json'), 'gw-load');
    const keyring = generateKeyringDocument('k-load');
    const keyringFile = join(dir, 'keyring.json');
    writeKeyringFile(keyringFile, keyring);
    // The schema and the insurer at once; whichever is made is cleaned up, should the other fail.
    const [made, insurerStarted] = await Promise.allSettled([
      createPgSchema(PG_URL),
      startProcess(
        'sandbox insurer',
        [
          SANDBOX_MAIN,
          '--port',
          '0',
          '--data-dir',
          join(dir, 'sandbox'),
          '--gateway-key-file',
          join(dir, 'signing.json'),
          '--qr-ttl',
          '3600',
        ],
        /sandbox insurer listening on (http:\/\/\S+) [\s\S]*insurer public key: ([0-9a-f]+)\n/,
        join(dir, 'sandbox.log'),
      ),
    ]);
    if (made.status === 'fulfilled') {
      dropSchema = made.value.drop;
    }
    if (insurerStarted.status === 'fulfilled') {
      started.push(insurerStarted.value);
    }
    if (made.status === 'rejected' || insurerStarted.status === 'rejected') {
      throw made.status === 'rejected' ? made.reason : (insurerStarted as PromiseRejectedResult).reason;
    }
    const sandbox = insurerStarted.value;
    const database = { url: PG_URL, schema: made.value.schema, poolSize: 10, migrateOnStart: true };
    const [, insurer, insurerKey] = sandbox.match;
    const faults = await fetch(`${insurer}/sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: INSURER_MS.low, latencyJitterMs: INSURER_MS.high - INSURER_MS.low }),
    });
    if (!faults.ok) {
      throw new Error(`the sandbox insurer refused the latency: ${faults.status} ${await faults.text()}`);
    }

    const configFile = join(dir, 'gateway.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        mode: 'production',
        dataDir: dir,
        // The closed loop measures capacity, not HIS: it may go past the default request limits
        // (server.rateLimit, 100 requests/s per key over a minute). They stay on, out of reach.
        server: { port: 0, rateLimit: { perKey: 1_000_000_000, perAddress: 1_000_000_000 } },
        database,
        hospital: TEST_HOSPITAL,
        pii: { keyringFile },
        logging: { level: 'info' },
        upstream: { baseUrl: insurer, signing: { keyFile: join(dir, 'signing.json'), insurerPublicKey: insurerKey } },
      }),
    );

    // Rounds alternate between the configurations (1, 2, 1, 2 …) so drifts in the machine's load hit both alike.
    const order = Array.from({ length: ROUNDS }, () => PHASES).flat();
    const rounds: Array<{ result: RoundResult; usage: ProcessUsage[] }> = [];
    let apiKey: string | undefined;
    let prepared: Prepared | undefined;
    for (const [index, instances] of order.entries()) {
      const gateways: Started[] = [];
      const booting = Date.now();
      const boot = (i: number): Promise<Started> =>
        startProcess(
          `gateway ${i + 1}`,
          [GATEWAY_MAIN, '--config', configFile],
          /^ {2}listening on (http:\/\/[^\s"]+)$/m,
          join(dir, `gateway-${index + 1}-${i + 1}.log`),
        ).then((g) => {
          started.push(g);
          return g;
        });
      // The very first one alone (it migrates the fresh schema); later ones all at once.
      if (index === 0) {
        for (let i = 0; i < instances; i++) {
          gateways.push(await boot(i));
        }
      } else {
        const booted = await Promise.allSettled(Array.from({ length: instances }, (_, i) => boot(i)));
        for (const b of booted) {
          if (b.status === 'rejected') {
            throw b.reason;
          }
          gateways.push(b.value);
        }
      }
      const bootSeconds = (Date.now() - booting) / 1000;
      const target = { bases: gateways.map((g) => g.match[1]), insurer, apiKey: apiKey ?? '' };
      if (!apiKey) {
        target.apiKey = apiKey = await createApiKey(database, dir, keyring);
      }
      if (!prepared) {
        prepared = (
          await runClient(
            {
              type: 'prepare',
              plan: {
                ...target,
                previewVisits: PREVIEW_VISITS,
                // About 2 settlements a second per connection busy settling; should it run dry, cashiers verify inline.
                settlementPool: Math.ceil(
                  CONNECTIONS * shareOf('settlement', MIX) * (SECONDS + WARMUP * ROUNDS) * 2 * PHASES.length,
                ),
                concurrency: CONNECTIONS,
              },
            },
            (m) => (m.type === 'prepared' ? m.prepared : undefined),
          )
        ).value;
        process.stdout.write(
          `prepared ${prepared.previewVisits.length + prepared.pool.length} verified visits in ${prepared.seconds.toFixed(1)} s (not timed)\n`,
        );
      }
      const share = Math.floor(prepared.pool.length / order.length);
      process.stdout.write(
        `round ${index + 1}/${order.length}: ${instances} instance${instances === 1 ? '' : 's'} (started in ${bootSeconds.toFixed(1)} s), ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${(SECONDS / ROUNDS).toFixed(1)} s …\n`,
      );
      const { value, usage } = await runClient(
        {
          type: 'round',
          plan: {
            ...target,
            round: index + 1,
            today: beijingToday(),
            warmupSeconds: WARMUP,
            seconds: SECONDS / ROUNDS,
            connections: CONNECTIONS,
            weights: MIX,
            previewVisits: prepared.previewVisits,
            pool: prepared.pool.slice(index * share, (index + 1) * share),
          },
        },
        (m) => (m.type === 'result' ? m.result : undefined),
        [
          ...gateways.map((g) => ({ name: g.name, pid: g.child.pid })),
          { name: 'sandbox insurer', pid: sandbox.child.pid },
        ],
      );
      rounds.push({ result: value, usage });
      await stopAll(gateways);
    }
    const phases: PhaseReport[] = PHASES.map((instances) => {
      const mine = rounds.filter((r) => r.result.instances === instances);
      return {
        result: mergeRounds(
          mine.map((r) => r.result),
          CONNECTIONS,
          MIX,
        ),
        usage: mergeUsage(mine.map((r) => r.usage)),
      };
    });
    const report: LoadReport = {
      machine: {
        cores: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown',
        loadAverageAtStart: loadAtStart,
        node: process.version,
      },
      insurerMs: INSURER_MS,
      database: 'PostgreSQL',
      prepared: {
        verifications: (prepared?.previewVisits.length ?? 0) + (prepared?.pool.length ?? 0),
        seconds: prepared?.seconds ?? 0,
      },
      phases,
      totalSeconds: (Date.now() - t0) / 1000,
    };
    process.stdout.write(formatReport(report));
    if (process.env.LOAD_JSON) {
      writeFileSync(process.env.LOAD_JSON, `${JSON.stringify(report, null, 2)}\n`);
    }
    const errors = phases.reduce((s, p) => s + p.result.errors, 0);
    return errors === 0 ? 0 : 1;
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    await dropSchema?.();
    if (process.env.LOAD_KEEP) {
      process.stdout.write(`logs kept in ${dir}\n`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`load test failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadReport } from '../load/report';
import { OPERATIONS } from '../load/workload';
import { postgresUrl } from '../support/databases';

jest.setTimeout(90_000);

const RUNNER = join(__dirname, '..', '..', 'dist', 'test', 'load', 'run.js');
const pg = postgresUrl();

/**
 * `npm run load` cannot rot: the built runner, for 2 s against one instance on PostgreSQL with a
 * fast insurer, runs every operation of the mix without an error and reports in the agreed shape.
 * (Its numbers are never asserted: the machine is shared.)
 */
(pg ? describe : describe.skip)('the morning-peak load test (npm run load)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-load-spec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a short phase with 0 errors and reports throughput, p50/p99 per operation and RSS', async () => {
    const json = join(dir, 'report.json');
    const run = spawn(process.execPath, [RUNNER], {
      env: {
        ...process.env,
        LOAD_PG_URL: pg,
        LOAD_SECONDS: '2',
        LOAD_WARMUP_SECONDS: '0',
        LOAD_INSTANCES: '1',
        LOAD_ROUNDS: '1',
        LOAD_CONNECTIONS: '4',
        LOAD_INSURER_MS: '5-15',
        LOAD_JSON: json,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    run.stdout.on('data', (d: Buffer) => (out += d.toString()));
    run.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
    expect({ code, out }).toEqual({ code: 0, out: expect.stringContaining('morning-peak load test') as string });

    const report = JSON.parse(readFileSync(json, 'utf8')) as LoadReport;
    expect(report.phases).toHaveLength(1);
    const [phase] = report.phases;
    expect(phase.result).toMatchObject({ instances: 1, connections: 4, rounds: 1, errors: 0, errorSamples: [] });
    expect(Object.keys(phase.result.operations).sort()).toEqual([...OPERATIONS].sort());
    for (const op of OPERATIONS) {
      const o = phase.result.operations[op];
      expect(o).toMatchObject({ errors: 0, completed: expect.any(Number), perSecond: expect.any(Number) });
      expect(o.latency.count).toBeGreaterThanOrEqual(o.completed);
    }
    // Scans are two thirds of the mix: some finish in any 2 s; preparation verified visits through the API.
    expect(phase.result.operations.scan.completed).toBeGreaterThan(0);
    expect(report.prepared.verifications).toBeGreaterThan(0);
    expect(phase.result.requestsPerSecond).toBeGreaterThan(0);
    const gateway = phase.usage.find((u) => u.name === 'gateway 1');
    expect(gateway).toBeDefined();
    if (process.platform === 'linux') {
      expect(gateway?.peakRssMb).toBeGreaterThan(0);
    }
    expect(out).toMatch(/scan \(\d+%\)/);
  });
});

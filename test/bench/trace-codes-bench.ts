/**
 * Trace codes at the scale of a large hospital pharmacy, PostgreSQL (printed, never asserted):
 *
 *  - BENCH_TRACE_STORED codes (10,000,000) already stored, seeded set-based with generate_series;
 *  - single scan through the whole gateway (POST /api/v1/trace-codes/scans: API key, validation,
 *    classifier, line and mapping read, then box, use, line count and audit row in one statement; see
 *    single-scan.repository.ts) against a bare Fastify handler doing one plain INSERT into a table with
 *    the same primary key over a pg pool: p50 / p99 side by side, CONCURRENCY clients, BENCH_TRACE_SCAN_ROUNDS
 *    rounds alternating, with issue 17's aim (p50 ≤ 2× the bare handler's);
 *  - batch ingest of BENCH_TRACE_BATCH codes (100,000) through POST /api/v1/trace-codes/batches
 *    against a plain multi-row INSERT (500 rows a statement, one transaction) of the same code and
 *    use rows into copies of the two tables with the same indexes, in the same database, and against
 *    the same rows inserted as arrays (unnest, the statement shape the gateway itself uses on
 *    PostgreSQL: the floor of what any ingest could reach). Rounds alternate.
 *
 * Needs GATEWAY_TEST_PG_URL (or BENCH_PG_URL); the schema is created and dropped here, so the stored
 * codes are seeded on every run (10 M: about a minute on a quiet machine). BENCH_TRACE_STORED sets a
 * smaller count for quick iterations; BENCH_TRACE_BATCH_ROUNDS=0 skips the batch part (and its copy of
 * the stored codes).
 */
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { Client, Pool } from 'pg';
import { uuidv7 } from '../../src/platform/ids';
import { createPgSchema } from '../support/databases';
import { startTestApp } from '../support/e2e-app';

const STORED = Number(process.env.BENCH_TRACE_STORED ?? 10_000_000);
const BATCH = Number(process.env.BENCH_TRACE_BATCH ?? 100_000);
const SCANS = Number(process.env.BENCH_TRACE_SCANS ?? 2000);
const BATCH_ROUNDS = Number(process.env.BENCH_TRACE_BATCH_ROUNDS ?? 2);
const SCAN_ROUNDS = Math.max(1, Number(process.env.BENCH_TRACE_SCAN_ROUNDS ?? 2));
/** Issue 17: a single scan's p50 at most this many times the bare one-INSERT handler's. */
const SCAN_P50_AIM = 2;
const CONCURRENCY = 8;
const CHUNK = 500;
const ARRAY_CHUNK = 20_000;

const code = (prefix: string, n: number): string => `${prefix}${String(n).padStart(19, '0')}`;

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Sample {
  seconds: number;
  latencies: number[];
}

async function load(n: number, send: (i: number) => Promise<Response>): Promise<Sample> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        const res = await send(i);
        const body = await res.text();
        if (res.status !== 201) {
          throw new Error(`scan ${i} answered ${res.status}: ${body.slice(0, 300)}`);
        }
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, latencies };
}

export async function benchTraceCodes(): Promise<void> {
  const url = process.env.BENCH_PG_URL ?? process.env.GATEWAY_TEST_PG_URL;
  if (!url) {
    process.stdout.write('\ntrace codes: skipped (set GATEWAY_TEST_PG_URL=postgres://…@127.0.0.1:5432/… to run it)\n');
    return;
  }
  const { schema, drop } = await createPgSchema(url);
  const t = await startTestApp({ database: { url, schema, poolSize: 10, migrateOnStart: true } });
  const sql = new Client({ connectionString: url, options: `-c search_path=${schema}` });
  await sql.connect();
  const pool = new Pool({ connectionString: url, max: CONCURRENCY, options: `-c search_path=${schema}` });
  const bare = Fastify();
  try {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}/api/v1/trace-codes`;
    const key = await t.token(['trace-codes']);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const call = (method: string, path: string, body: object): Promise<Response> =>
      fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) });

    let t0 = Date.now();
    await sql.query(
      `INSERT INTO trace_code (code, form, product_code, state, updated_at)
       SELECT '9' || lpad(g::text, 19, '0'), 'trace20', '9' || lpad((g % 1000000)::text, 6, '0'), CASE WHEN g % 3 = 0 THEN 'received' ELSE 'dispensed' END, now()
       FROM generate_series(1, $1::int) g`,
      [STORED],
    );
    await sql.query('ANALYZE trace_code');
    const stored = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM trace_code')).rows[0].n);
    process.stdout.write(
      `\ntrace codes (PostgreSQL, ${stored.toLocaleString('en')} codes stored, seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
    );

    // Single scans: one line per client, so clients do not queue on one line's lock (as desks do not).
    const visits = Array.from({ length: CONCURRENCY }, (_, i) => `BS${i}`);
    for (const v of visits) {
      await (
        await call('PUT', `/visits/${v}/lines`, {
          lines: [{ lineNo: '1', medListCode: 'XJ01', drugName: '阿莫西林胶囊', quantity: 1_000_000 }],
        })
      ).text();
    }
    await sql.query('CREATE TABLE bare_scan (code varchar(40) PRIMARY KEY, visit_id varchar(64), at timestamptz)');
    bare.post<{ Body: { visitId: string; text: string } }>('/scan', async (req, reply) => {
      await pool.query('INSERT INTO bare_scan (code, visit_id, at) VALUES ($1, $2, now())', [
        req.body.text,
        req.body.visitId,
      ]);
      return reply.code(201).send({ code: req.body.text });
    });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const barePort = (bare.server.address() as AddressInfo).port;
    let seq = 0;
    const ours = () =>
      load(SCANS, (i) =>
        call('POST', '/scans', { visitId: visits[i % CONCURRENCY], lineNo: '1', text: code('7', ++seq) }),
      );
    const plain = () =>
      load(SCANS, () =>
        fetch(`http://127.0.0.1:${barePort}/scan`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ visitId: 'BS0', text: code('6', ++seq) }),
        }),
      );
    await ours();
    await plain(); // warm-up, discarded
    const a: Sample[] = [];
    const b: Sample[] = [];
    for (let round = 0; round < SCAN_ROUNDS; round++) {
      a.push(await ours());
      b.push(await plain());
    }
    const all = (samples: Sample[]): Sample => ({
      seconds: samples.reduce((sum, x) => sum + x.seconds, 0),
      latencies: samples.flatMap((x) => x.latencies),
    });
    const rate = (x: Sample): number => x.latencies.length / x.seconds;
    const line = (label: string, x: Sample): string =>
      `  ${label.padEnd(34)} ${rate(x).toFixed(0).padStart(6)} scans/s   p50 ${pct(x.latencies, 50).toFixed(2).padStart(6)} ms   p99 ${pct(x.latencies, 99).toFixed(2).padStart(6)} ms`;
    const p50Ratio = (x: Sample, y: Sample): number => pct(x.latencies, 50) / pct(y.latencies, 50);
    const [ga, ba] = [all(a), all(b)];
    const ratio = p50Ratio(ga, ba);
    const perRound = a.map((x, i) => p50Ratio(x, b[i]));
    process.stdout.write(
      `single scan, ${SCANS} per side and round, ${SCAN_ROUNDS} rounds alternating, ${CONCURRENCY} concurrent, loopback:\n${line('gateway POST /scans', ga)}\n${line('bare Fastify + one plain INSERT', ba)}\n` +
        `  ratio gateway/bare: p50 ${ratio.toFixed(2)}x (aim ≤ ${SCAN_P50_AIM}x): ${ratio <= SCAN_P50_AIM ? 'met' : 'NOT met'}; per round ${perRound.map((r) => `${r.toFixed(2)}x`).join(', ')}; ` +
        `p99 ${(pct(ga.latencies, 99) / pct(ba.latencies, 99)).toFixed(2)}x; throughput ${(rate(ga) / rate(ba)).toFixed(2)}\n`,
    );
    if (BATCH_ROUNDS < 1) {
      return;
    }

    // Batch ingest.
    await sql.query('CREATE TABLE plain_code (LIKE trace_code INCLUDING ALL)');
    await sql.query('CREATE TABLE plain_use (LIKE trace_code_use INCLUDING ALL)');
    await sql.query(`INSERT INTO plain_code SELECT * FROM trace_code`); // the same 10M rows under the same key
    await sql.query('ANALYZE plain_code');
    const apiMs: number[] = [];
    const plainMs: number[] = [];
    const arrayMs: number[] = [];
    for (let round = 0; round < BATCH_ROUNDS; round++) {
      const codes = Array.from({ length: BATCH }, (_, i) => code(String(round + 1), i));
      const visit = `BB${round}`;
      await (
        await call('PUT', `/visits/${visit}/lines`, {
          lines: [{ lineNo: '1', medListCode: 'XJ01', drugName: '阿莫西林胶囊', quantity: BATCH }],
        })
      ).text();
      t0 = Date.now();
      const res = await call('POST', '/batches', { visitId: visit, lineNo: '1', codes });
      const body = await res.text();
      if (res.status !== 201) {
        throw new Error(`batch answered ${res.status}: ${body.slice(0, 300)}`);
      }
      apiMs.push(Date.now() - t0);

      t0 = Date.now();
      await sql.query('BEGIN');
      const lineId = uuidv7();
      const at = new Date();
      for (let i = 0; i < codes.length; i += CHUNK) {
        const chunk = codes.slice(i, i + CHUNK);
        const cp: unknown[] = [];
        const up: unknown[] = [];
        for (const c of chunk) {
          cp.push(c, 'trace20', c.slice(0, 7), 'dispensed', at);
          up.push(uuidv7(), c, lineId, visit, false, 'dispensed', 'pending', lineId, 'plain', at);
        }
        await sql.query(
          `INSERT INTO plain_code (code, form, product_code, state, updated_at) VALUES ${placeholders(chunk.length, 5)}`,
          cp,
        );
        await sql.query(
          `INSERT INTO plain_use (id, code, line_id, visit_id, split, state, upload, operation_id, source, dispensed_at) VALUES ${placeholders(chunk.length, 10)}`,
          up,
        );
      }
      await sql.query('COMMIT');
      plainMs.push(Date.now() - t0);

      // The same rows (other codes, same table) as arrays: the statement shape the gateway uses on PostgreSQL.
      const arrayCodes = codes.map((c) => `${round + 5}${c.slice(1)}`);
      t0 = Date.now();
      await sql.query('BEGIN');
      for (let i = 0; i < arrayCodes.length; i += ARRAY_CHUNK) {
        const chunk = arrayCodes.slice(i, i + ARRAY_CHUNK);
        await sql.query(
          `INSERT INTO plain_code (code, form, product_code, state, updated_at) SELECT c, 'trace20', left(c, 7), 'dispensed', $2 FROM unnest($1::text[]) AS t(c)`,
          [chunk, at],
        );
        await sql.query(
          `INSERT INTO plain_use (id, code, line_id, visit_id, split, state, upload, operation_id, source, dispensed_at) SELECT i, c, $3, $4, false, 'dispensed', 'pending', $3, 'plain', $5 FROM unnest($1::text[], $2::text[]) AS t(i, c)`,
          [chunk.map(() => uuidv7()), chunk, lineId, visit, at],
        );
      }
      await sql.query('COMMIT');
      arrayMs.push(Date.now() - t0);
    }
    const api = Math.min(...apiMs);
    const bareBatch = Math.min(...plainMs);
    const arrayBatch = Math.min(...arrayMs);
    process.stdout.write(
      `batch of ${BATCH.toLocaleString('en')} codes onto one line (best of ${BATCH_ROUNDS}):\n` +
        `  gateway POST /batches (JSON, validation, checks, one transaction)  ${api} ms  (${((BATCH / api) * 1000).toFixed(0)} codes/s)\n` +
        `  plain multi-row INSERT of the same code + use rows                 ${bareBatch} ms  (${((BATCH / bareBatch) * 1000).toFixed(0)} codes/s)\n` +
        `  plain array INSERT (unnest, ${ARRAY_CHUNK} rows a statement) of the same rows   ${arrayBatch} ms  (${((BATCH / arrayBatch) * 1000).toFixed(0)} codes/s)\n` +
        `  ratio plain/gateway: ${(bareBatch / api).toFixed(2)} (aim ≥ 0.5); plain array/gateway: ${(arrayBatch / api).toFixed(2)}\n`,
    );
  } finally {
    await bare.close();
    await pool.end();
    await sql.end();
    await t.close();
    await drop();
  }
}

function placeholders(rows: number, cols: number): string {
  const out: string[] = [];
  let n = 0;
  for (let r = 0; r < rows; r++) {
    out.push(`(${Array.from({ length: cols }, () => `$${++n}`).join(',')})`);
  }
  return out.join(',');
}

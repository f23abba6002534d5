/**
 * Benchmarks, printed as ratios measured side by side in one run (never asserted: machines are
 * shared and noisy). Run with `npm run bench`.
 *
 *  1. An authenticated API call through the whole gateway (API-key check, from memory once the key
 *     is known; validation, logging with redaction, metrics) against a bare Fastify handler that returns
 *     the same JSON: the price of the platform per request.
 *  2. /health (every component's check; the database probe is reused for a second) against the same bare
 *     handler. For 1 and 2 the load client runs in a child process, both servers in this one, and the
 *     servers' CPU time per request is printed beside req/s (it holds up on a shared machine).
 *  3. The outbox dispatcher against a bare loop of axios posts to the same sandbox insurer, and
 *     the time to drain a backlog (BENCH_OUTBOX_MESSAGES, BENCH_BACKLOG; see dispatcher-bench.ts).
 *  4. Devices: an ID-card read over a real pty at 115200 baud against the wire time of its bytes,
 *     and the device parsers' MB/s against a bare delimiter scan (see devices-bench.ts).
 *  5. Identity: a social-security card read's event to the verdict event, against the insurer's
 *     round trips (1101) inside that window, 2nd- and 3rd-generation cards (see identity-bench.ts).
 *  6. Forms: a signed relapse filing PDF through the form renderer against a bare pdfkit document
 *     with the same font and text: median time and size (BENCH_FORMS rounds; see forms-bench.ts).
 *  7. Trace codes (PostgreSQL, 10M codes stored): single-scan p50/p99 through the API against a bare
 *     handler with one INSERT, and a 100,000-code batch against a plain multi-row INSERT (see trace-codes-bench.ts).
 *  8. Settlement: a settle request until its 201 answer against the insurer's own round trip for the same 2207
 *     message (bare sign, post, verify), at the default dispatcher poll interval and at 10 ms (BENCH_SETTLEMENTS;
 *     see settlement-bench.ts).
 *  9. Desk agents: a scan and an ID-card read through a desk agent (in this process, over loopback) against the same
 *     simulated devices on the gateway's own machine, until the desk's WebSocket client has them: median, p90, the ms
 *     added at the median and whether issue 15's aim (< 2 ms) is met, with the journal's append + fsync alone
 *     (BENCH_AGENT_EVENTS; see agents-bench.ts).
 * 10. Audit chain: the content hash on the append path (µs per entry, one-entry appends with and without it),
 *     and the sealer's entries/s against the append rate it must keep up with, on SQLite and PostgreSQL
 *     (BENCH_AUDIT_ENTRIES; see audit-bench.ts).
 * 11. Personal data at rest: SM4-GCM against AES-256-GCM through PiiCryptoService, 10,000 field encryptions and
 *     decryptions per round, and HMAC-SM3 against HMAC-SHA256 for lookups (BENCH_PII_FIELDS; see pii-bench.ts).
 *
 * Rounds alternate between the two servers so drifts in machine load hit both alike.
 *
 * Names select benches: `npm run bench -- devices` (or `http`, `dispatcher`, `identity`, `agents`, several at once);
 * no name runs them all.
 */
import Fastify from 'fastify';
import { openSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ChildProcess, fork } from 'node:child_process';
import { createApp } from '../../src/app.factory';
import { ApiKeyService } from '../../src/platform/auth/api-key.service';
import { gatewayLogDestination } from '../../src/platform/logging/logger';
import { testConfig } from '../support/test-config';
import { benchAgents } from './agents-bench';
import { benchAudit } from './audit-bench';
import { benchDevices } from './devices-bench';
import { benchDispatcher } from './dispatcher-bench';
import { benchForms } from './forms-bench';
import type { LoadOrder, LoadResult } from './http-load-client';
import { benchIdentity } from './identity-bench';
import { benchPii } from './pii-bench';
import { benchSettlement } from './settlement-bench';
import { benchTraceCodes } from './trace-codes-bench';

const BENCHES = [
  'http',
  'dispatcher',
  'devices',
  'identity',
  'trace-codes',
  'forms',
  'settlement',
  'agents',
  'audit',
  'pii',
] as const;
const selected = process.argv.slice(2);
const wanted = (name: (typeof BENCHES)[number]): boolean => selected.length === 0 || selected.includes(name);

const REQUESTS_PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 8;

interface Sample {
  seconds: number;
  latenciesMs: number[];
  /** CPU time of this process (the servers' side: both servers live here) during the round. */
  serverCpuMs: number;
}

/**
 * The load client runs in a child process (http-load-client.ts): until December 2026 it ran on this
 * process's event loop with fetch(), so every request's client work was billed to both servers alike
 * and hid part of their difference. With the client outside, this process's CPU time per request is
 * the servers' own cost — a figure that, unlike req/s, holds up when other work shares the machine.
 */
class LoadClient {
  private readonly child: ChildProcess = fork(join(__dirname, 'http-load-client.js'), [], { stdio: 'inherit' });

  load(url: string, headers: Record<string, string>): Promise<Sample> {
    const order: LoadOrder = { url, headers, requests: REQUESTS_PER_ROUND, concurrency: CONCURRENCY };
    return new Promise((resolve, reject) => {
      const cpu = process.cpuUsage();
      const failed = (e: Error): void => {
        this.child.off('message', answered);
        reject(e);
      };
      const answered = (result: LoadResult): void => {
        this.child.off('error', failed);
        const used = process.cpuUsage(cpu);
        if (result.failure) {
          reject(new Error(result.failure));
          return;
        }
        resolve({ ...result, serverCpuMs: (used.user + used.system) / 1000 });
      };
      // One pair of listeners per round, removed with its answer (they piled up before: a leak warning).
      this.child.once('message', answered);
      this.child.once('error', failed);
      this.child.send(order);
    });
  }

  close(): void {
    this.child.disconnect();
  }
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarize(samples: Sample[]): { rps: number; p50: number; p99: number; cpuUs: number } {
  const seconds = samples.reduce((s, x) => s + x.seconds, 0);
  const all = samples.flatMap((s) => s.latenciesMs);
  const cpuMs = samples.reduce((s, x) => s + x.serverCpuMs, 0);
  return { rps: all.length / seconds, p50: pct(all, 50), p99: pct(all, 99), cpuUs: (cpuMs * 1000) / all.length };
}

async function compare(name: string, ours: () => Promise<Sample>, bare: () => Promise<Sample>): Promise<void> {
  await ours();
  await bare(); // warm-up, discarded
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await ours());
    b.push(await bare());
  }
  const o = summarize(a);
  const f = summarize(b);
  const line = (label: string, s: ReturnType<typeof summarize>): string =>
    `  ${label.padEnd(22)} ${s.rps.toFixed(0).padStart(7)} req/s   p50 ${s.p50.toFixed(2).padStart(6)} ms   p99 ${s.p99.toFixed(2).padStart(6)} ms   server CPU ${s.cpuUs.toFixed(0).padStart(5)} µs/req`;
  process.stdout.write(
    `\n${name}\n${line('gateway', o)}\n${line('bare Fastify', f)}\n` +
      `  ratio gateway/bare: throughput ${(o.rps / f.rps).toFixed(2)}, p50 latency ${(o.p50 / f.p50).toFixed(2)}x, ` +
      `server CPU per request ${(o.cpuUs / f.cpuUs).toFixed(2)}x (throughput ${(f.cpuUs / o.cpuUs).toFixed(2)} once CPU-bound)\n`,
  );
}

async function benchHttp(): Promise<void> {
  // One key as fast as the machine goes: far over the default request limits (server.rateLimit), which
  // stay on (their cost is part of what is measured) with limits this run never reaches.
  const config = testConfig({
    logging: { level: 'info' },
    server: { rateLimit: { perKey: 1_000_000_000, perAddress: 1_000_000_000 } },
  });
  // Logs are produced and redacted as in production, then thrown away.
  const app = await createApp(config, {
    logDestination: gatewayLogDestination(openSync('/dev/null', 'w')),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const ourPort = (app.getHttpServer().address() as AddressInfo).port;
  const token = (
    await app.get(ApiKeyService).create({ name: 'bench', scopes: ['identity'] }, { type: 'system', id: 'bench' })
  ).token;

  const institutions = await (
    await fetch(`http://127.0.0.1:${ourPort}/api/v1/reference/institutions?kind=rehab`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  const bare = Fastify();
  bare.get('/same', async () => institutions);
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const barePort = (bare.server.address() as AddressInfo).port;

  process.stdout.write(
    `benchmark: ${ROUNDS} rounds x ${REQUESTS_PER_ROUND} requests, ${CONCURRENCY} concurrent, SQLite, loopback; ` +
      'both servers in this process, the load client in a child process (keep-alive)\n',
  );
  const client = new LoadClient();
  try {
    await compare(
      'GET /api/v1/reference/institutions?kind=rehab (API key, validation, redacted logging) vs bare handler, same JSON',
      () =>
        client.load(`http://127.0.0.1:${ourPort}/api/v1/reference/institutions?kind=rehab`, {
          authorization: `Bearer ${token}`,
        }),
      () => client.load(`http://127.0.0.1:${barePort}/same`, {}),
    );
    await compare(
      'GET /health (database probe, upstream queue, settlements, duties, agents, devices, calendar) vs bare handler',
      () => client.load(`http://127.0.0.1:${ourPort}/health`, {}),
      () => client.load(`http://127.0.0.1:${barePort}/same`, {}),
    );
  } finally {
    client.close();
    await app.close();
    await bare.close();
  }
}

async function main(): Promise<void> {
  const unknown = selected.filter((name) => !(BENCHES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown bench ${unknown.join(', ')}: choose from ${BENCHES.join(', ')} (none runs them all)\n`,
    );
    process.exitCode = 2;
    return;
  }
  if (wanted('http')) {
    await benchHttp();
  }
  if (wanted('dispatcher')) {
    await benchDispatcher(
      Number(process.env.BENCH_OUTBOX_MESSAGES ?? 500),
      Number(process.env.BENCH_BACKLOG ?? 10_000),
    );
  }
  if (wanted('devices')) {
    await benchDevices();
  }
  if (wanted('identity')) {
    await benchIdentity();
  }
  if (wanted('forms')) {
    await benchForms();
  }
  if (wanted('trace-codes')) {
    await benchTraceCodes();
  }
  if (wanted('settlement')) {
    await benchSettlement();
  }
  if (wanted('agents')) {
    await benchAgents();
  }
  if (wanted('audit')) {
    await benchAudit();
  }
  if (wanted('pii')) {
    benchPii();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});

/**
 * Settlement: a settle request until its 201 answer, against the insurer's own round trip for the
 * same 2207 message, side by side in one run (see run.ts; printed, never asserted).
 *
 * The whole gateway runs in this process as test/e2e/settlement-settle.e2e.spec.ts starts it
 * (startTestApp: sandbox mode, a temp SQLite data folder, logging silent, the real dispatcher), with the
 * sandbox insurer inside it on an ephemeral port. Once: the catalogue mapping is imported. Per visit,
 * untimed: HIS opens the visit, declares its three lines (one drug with two trace codes scanned), and the
 * desk gets a MATCH token (matchTokenByQr). Then, timed:
 *
 *   (a) request → outcome: POST /api/v1/settlement/visits/{id}/settlement with the token, until the 201
 *       answer — token check, pre-audit, the transaction (visit lock, record, outbox, audit), the wait for
 *       the dispatcher to claim the message (it polls every upstream.dispatcher.pollIntervalMs when idle:
 *       nothing wakes it on enqueue), signing, the insurer, the outcome hook, the notifier, the answer;
 *   (b) the insurer's own round trip for the same message: the 2207 envelope the gateway stored for (a)
 *       (outbox_message.envelope: the input settlementMessage() built), given a fresh mdtrt_id, fresh
 *       trace codes and a fresh msgid so the insurer accepts it as a new visit, signed with the gateway's
 *       key, posted to the sandbox insurer by a bare axios call and its reply verified — nothing stored.
 *
 * (a) and (b) alternate (order flipped every visit) so machine drift hits both. The gateway runs twice
 * in the same run: with the default poll interval (config/default.yaml, 250 ms) and with the smallest
 * allowed (10 ms); the difference between the two rows' added time is the poll wait.
 * Caveat: gateway, sandbox insurer and this client share one event loop.
 * Knobs: BENCH_SETTLEMENTS (30 visits per row), BENCH_SETTLEMENT_WARMUP (3 per row).
 */
import axios from 'axios';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { FastifyRequest } from 'fastify';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { SEED } from '../../src/sandbox/seed-people';
import { SettlementStatementRenderer } from '../../src/forms/statement/settlement-statement-renderer';
import { JobRunner } from '../../src/platform/jobs/job-runner';
import { OutcomeNotifier } from '../../src/settlement/outcome-notifier.service';
import { SETTLEMENT_STATEMENTS_JOB } from '../../src/settlement/settlement-statement.job';
import { SettlementStatementService } from '../../src/settlement/settlement-statement.service';
import { OutboxMessage } from '../../src/upstream/outbox/outbox-message.entity';
import { type RequestEnvelope, signEnvelope, verifyEnvelope } from '../../src/upstream/protocol/envelope';
import { beijingDateTime, beijingTimestamp, formatMsgid } from '../../src/upstream/protocol/msgid';
import { UPSTREAM_LINK, type UpstreamLink } from '../../src/upstream/upstream-link';
import { startTestApp } from '../support/e2e-app';
import { matchTokenByQr } from '../support/match-token';
import { TEST_HOSPITAL } from '../support/test-config';

const VISITS = Number(process.env.BENCH_SETTLEMENTS ?? 30);
const WARMUP = Number(process.env.BENCH_SETTLEMENT_WARMUP ?? 3);
const AIM_MS = 10;
const DEFAULT_POLL_MS = 250;
const SMALL_POLL_MS = 10;
const WORKER = SEED.activeFingers;
const MED = 'XJ01CAA040A001010100001';
const MAPPING = [
  '院内项目编码,院内项目名称,项目类别,医保目录编码',
  `YP001,阿莫西林胶囊,药品,${MED}`,
  'ZL001,换药（中）,诊疗,001203000010000',
].join('\r\n');

const out = (text: string): void => void process.stdout.write(text);
const fmt = (n: number, digits = 2): string => n.toFixed(digits);

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const median = (values: number[]): number => pct(values, 50);

/** A drug trace code: 20 digits; `run` keeps the rows (and the bare loop) from reusing one. */
const traceCode = (run: number, n: number): string => `8${String(run * 1_000_000 + n).padStart(19, '0')}`;

interface Row {
  label: string;
  pollMs: number;
  gatewayMs: number[];
  insurerMs: number[];
  /** Within (a): request sent → the sandbox insurer starts handling the 2207 (token, pre-audit, transaction, poll wait, signing, HTTP). */
  toInsurerMs: number[];
  /** Within (a): the sandbox's handler (onRequest → onResponse). */
  sandboxMs: number[];
  /** Within (a): sandbox answered → the outcome hook's transaction committed (the notifier is called). */
  toOutcomeMs: number[];
  /** Within (a): notifier called → the 201 is read by the client. */
  toAnswerMs: number[];
  /** A statement PDF rendered before the settle request's 201 (same event loop), start → end: should be none. */
  statementMs: number[];
  /** The statements the statements job rendered after the row's settlements (off the settle path), each. */
  laterStatementMs: number[];
}

/** The sandbox insurer's 2207 handler spans, observed from inside it (hooks added before it listens). */
const sandboxSpans: { start: number; end: number }[] = [];

export async function benchSettlement(): Promise<void> {
  const row = (label: string, pollMs: number): Row => ({
    label,
    pollMs,
    gatewayMs: [],
    insurerMs: [],
    toInsurerMs: [],
    sandboxMs: [],
    toOutcomeMs: [],
    toAnswerMs: [],
    statementMs: [],
    laterStatementMs: [],
  });
  const rows = [
    row(`poll interval ${DEFAULT_POLL_MS} ms (default)`, DEFAULT_POLL_MS),
    row(`poll interval ${SMALL_POLL_MS} ms (smallest allowed)`, SMALL_POLL_MS),
  ];
  const proto = SandboxInsurer.prototype;
  const originalStart = proto.start;
  proto.start = function (this: SandboxInsurer, options) {
    const started = new WeakMap<FastifyRequest, number>();
    this.app.addHook('onRequest', async (req) => {
      started.set(req, performance.now());
    });
    this.app.addHook('onResponse', async (req) => {
      const start = started.get(req);
      if (start !== undefined && req.url === '/api/transaction') {
        sandboxSpans.push({ start, end: performance.now() });
      }
    });
    return originalStart.call(this, options);
  };
  try {
    for (const [i, r] of rows.entries()) {
      await runRow(r, i + 1);
    }
  } finally {
    proto.start = originalStart;
  }
  printResults(rows);
}

async function runRow(row: Row, run: number): Promise<void> {
  const t = await startTestApp({
    sandboxInsurer: { enabled: true, port: 0 },
    upstream: { dispatcher: { pollIntervalMs: row.pollMs } },
  });
  const { app, config } = t;
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const link = app.get<UpstreamLink>(UPSTREAM_LINK);
    const insurer = link.baseUrl.replace(/\/$/, '');
    const key = await t.token(['settlement', 'trace-codes', 'identity']);
    const ds = app.get(DataSource);
    let notifiedAt = 0;
    const notifier = app.get(OutcomeNotifier);
    const originalNotify = notifier.notify.bind(notifier);
    notifier.notify = (id: string): void => {
      notifiedAt = performance.now();
      originalNotify(id);
    };
    let statementMs = NaN;
    const renders: number[] = [];
    const renderer = app.get(SettlementStatementRenderer);
    const originalRender = renderer.render.bind(renderer);
    renderer.render = async (data) => {
      const start = performance.now();
      try {
        return await originalRender(data);
      } finally {
        statementMs = performance.now() - start;
        renders.push(statementMs);
      }
    };
    const send = (method: 'post' | 'put', path: string, body?: object) => {
      const r = request(base)[method](path).set('authorization', `Bearer ${key}`);
      return body ? r.send(body) : r;
    };

    await send('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);

    let visitNo = 0;
    let codeNo = 0;
    /** A visit ready to settle (untimed): its id and MATCH token. */
    const prepareVisit = async (): Promise<{ visitId: string; token: string }> => {
      const visitId = `BENCH${run}S${String(++visitNo).padStart(4, '0')}`;
      await send('post', '/api/v1/settlement/visits', {
        visitId,
        psnNo: WORKER.psn_no,
        kind: 'outpatient',
        visitDate: '2026-11-25',
        dept: '手外科',
        diagnosisCode: 'S62.600',
        diagnosisName: '左手食指骨折',
      }).expect(201);
      const service = {
        hisItemCode: 'ZL001',
        itemName: '换药（中）',
        kind: 'service',
        count: '1',
        unitPriceFen: 3000,
        amountFen: 3000,
        serviceDate: '2026-11-25',
        injuryRelated: true,
      };
      await send('put', `/api/v1/settlement/visits/${visitId}/lines`, {
        lines: [
          {
            ...service,
            lineId: '1',
            hisItemCode: 'YP001',
            itemName: '阿莫西林胶囊',
            kind: 'drug',
            count: '2',
            unitPriceFen: 1250,
            amountFen: 2500,
            daysOfSupply: 7,
          },
          { ...service, lineId: '2' },
          { ...service, lineId: '3', injuryRelated: false, amountFen: 2000, unitPriceFen: 2000 },
        ],
      }).expect(200);
      await send('put', `/api/v1/trace-codes/visits/${visitId}/lines`, {
        lines: [{ lineNo: '1', medListCode: MED, drugName: '阿莫西林胶囊', quantity: 2 }],
      }).expect(200);
      for (let i = 0; i < 2; i++) {
        await send('post', '/api/v1/trace-codes/scans', {
          visitId,
          lineNo: '1',
          text: traceCode(run, ++codeNo),
        }).expect(201);
      }
      return { visitId, token: await matchTokenByQr(send, insurer, WORKER, visitId) };
    };

    /** (a): the settle request until its answer; then the 2207 envelope it sent, as stored. */
    type Timed = {
      ms: number;
      toInsurer: number;
      sandbox: number;
      toOutcome: number;
      toAnswer: number;
      statement: number;
    };
    const settleOnce = async (): Promise<Timed & { envelope: RequestEnvelope }> => {
      const { visitId, token } = await prepareVisit();
      sandboxSpans.length = 0;
      notifiedAt = 0;
      statementMs = NaN;
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/settlement/visits/${visitId}/settlement`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'x-verification-token': token,
          'idempotency-key': `${visitId}-1`,
        },
        body: JSON.stringify({ desk: '门诊收费1' }),
      });
      const body = (await res.json()) as { status?: string; msgid?: string };
      const t1 = performance.now();
      const ms = t1 - t0;
      const span = sandboxSpans.find((x) => x.start >= t0 && x.end <= t1);
      if (res.status !== 201 || body.status !== 'settled' || body.msgid === undefined || !span || notifiedAt === 0) {
        throw new Error(`settlement bench: settling ${visitId} answered ${res.status} ${JSON.stringify(body)}`);
      }
      const stored = await ds.getRepository(OutboxMessage).findOneBy({ msgid: body.msgid });
      if (!stored?.envelope || stored.infno !== '2207') {
        throw new Error(`settlement bench: no stored 2207 envelope for ${body.msgid}`);
      }
      return {
        ms,
        toInsurer: span.start - t0,
        sandbox: span.end - span.start,
        toOutcome: notifiedAt - span.end,
        toAnswer: t1 - notifiedAt,
        statement: statementMs,
        envelope: JSON.parse(stored.envelope) as RequestEnvelope,
      };
    };

    // (b): the same message, for a fresh visit (new mdtrt_id, trace codes, msgid), straight to the insurer.
    const http = axios.create({ baseURL: insurer, validateStatus: () => true });
    const second = beijingTimestamp(new Date(Date.now() + 3600_000)); // a second the outbox will not use
    let bareNo = 0;
    const bareOnce = async (template: RequestEnvelope): Promise<number> => {
      bareNo++;
      const { sign: _sign, ...unsigned } = template;
      const input = template.input as { mdtrt_id: string; feedetail: { drug_trac_codg?: string[] }[] };
      const fresh = {
        ...input,
        mdtrt_id: `BARE${run}S${String(bareNo).padStart(4, '0')}`,
        feedetail: input.feedetail.map((line) =>
          line.drug_trac_codg
            ? { ...line, drug_trac_codg: line.drug_trac_codg.map(() => traceCode(run + 10, ++codeNo)) }
            : line,
        ),
      };
      const t0 = performance.now();
      const envelope = signEnvelope<RequestEnvelope>(
        {
          ...unsigned,
          msgid: formatMsgid(TEST_HOSPITAL.fixmedinsCode, second, bareNo),
          inf_time: beijingDateTime(new Date()),
          input: fresh,
        },
        link.signingKey,
      );
      const res = await http.post<{ infcode?: number; err_msg?: string }>('/api/transaction', envelope);
      if (res.status !== 200 || !verifyEnvelope(res.data, link.insurerPublicKey)) {
        throw new Error(`settlement bench: bare post answered ${res.status}`);
      }
      const ms = performance.now() - t0;
      if (res.data.infcode !== 0) {
        throw new Error(`settlement bench: the insurer refused the bare 2207: ${res.data.err_msg ?? ''}`);
      }
      return ms;
    };

    let template: RequestEnvelope | undefined;
    for (let i = 0; i < WARMUP + VISITS; i++) {
      const keep = i >= WARMUP;
      const gateway = async (): Promise<void> => {
        const a = await settleOnce();
        template = a.envelope;
        if (keep) {
          row.gatewayMs.push(a.ms);
          row.toInsurerMs.push(a.toInsurer);
          row.sandboxMs.push(a.sandbox);
          row.toOutcomeMs.push(a.toOutcome);
          row.toAnswerMs.push(a.toAnswer);
          if (!Number.isNaN(a.statement)) {
            row.statementMs.push(a.statement);
          }
        }
      };
      const bare = async (): Promise<void> => {
        const b = await bareOnce(template as RequestEnvelope);
        if (keep) {
          row.insurerMs.push(b);
        }
      };
      if (template === undefined || i % 2 === 0) {
        await gateway();
        await bare();
      } else {
        await bare();
        await gateway();
      }
    }
    // The statements of the row's settlements, rendered by the statements job once the burst is over.
    renders.length = 0;
    const statements = app.get(SettlementStatementService);
    for (let run = 0; run < 10 && (await statements.missing(new Date(0), 1)).length > 0; run++) {
      await app.get(JobRunner).runNow(SETTLEMENT_STATEMENTS_JOB);
    }
    row.laterStatementMs.push(...renders);
  } finally {
    await t.close();
    rmSync(config.dataDir, { recursive: true, force: true });
  }
}

function printResults(rows: Row[]): void {
  const cell = (values: number[]): string => `${fmt(median(values)).padStart(8)} ${fmt(pct(values, 90)).padStart(8)}`;
  out(
    `\nSettlement: POST …/visits/{id}/settlement → 201 (the gateway's whole path) against the insurer's own round trip\n` +
      `  for the same 2207 message (sign, post, verify; a fresh visit), in-process gateway (SQLite, logging silent), sandbox\n` +
      `  insurer inside it on loopback; ${rows[0].gatewayMs.length} visits per row after ${WARMUP} warm-up, (a) and (b) alternating\n`,
  );
  out(`    ${''.padEnd(62)}${'median'.padStart(8)} ${'p90'.padStart(8)} ms\n`);
  const added: number[] = [];
  for (const row of rows) {
    const gap = row.gatewayMs.map((a, i) => a - row.insurerMs[i]);
    added.push(median(row.gatewayMs) - median(row.insurerMs));
    out(
      `  ${row.label}\n` +
        `    ${'(a) request → outcome (settle request until its 201)'.padEnd(62)}${cell(row.gatewayMs)}\n` +
        `    ${"(b) insurer's round trip, same 2207 (bare sign, post, verify)".padEnd(62)}${cell(row.insurerMs)}\n` +
        `    ${"gateway's added time (a − b, per visit pair)".padEnd(62)}${cell(gap)}\n` +
        `    ${'  within (a): request → insurer starts handling the 2207'.padEnd(62)}${cell(row.toInsurerMs)}\n` +
        `    ${'    (token, pre-audit, transaction, poll wait, signing, HTTP)'.padEnd(62)}\n` +
        `    ${"  within (a): the sandbox insurer's handler".padEnd(62)}${cell(row.sandboxMs)}\n` +
        `    ${'  within (a): insurer answered → outcome committed (notifier)'.padEnd(62)}${cell(row.toOutcomeMs)}\n` +
        `    ${'  within (a): notifier → 201 read by the client'.padEnd(62)}${cell(row.toAnswerMs)}\n` +
        `    ${`    meanwhile: a statement PDF rendered (done by the 201: ${row.statementMs.length}/${row.gatewayMs.length})`.padEnd(62)}${
          row.statementMs.length > 0 ? cell(row.statementMs) : '       —'
        }\n` +
        `    ${`  after the burst: the statements job rendered ${row.laterStatementMs.length} PDFs, each`.padEnd(62)}${
          row.laterStatementMs.length > 0 ? cell(row.laterStatementMs) : '       —'
        }\n` +
        `    gateway added (median a − median b) ${fmt(added[added.length - 1])} ms; ratio a/b at the median ${fmt(
          median(row.gatewayMs) / median(row.insurerMs),
        )}\n`,
    );
  }
  const [withDefault, withSmall] = added;
  const [reachDefault, reachSmall] = rows.map((r) => median(r.toInsurerMs));
  out(
    `  poll wait: added time at ${DEFAULT_POLL_MS} ms − at ${SMALL_POLL_MS} ms = ${fmt(withDefault - withSmall)} ms ` +
      `(${fmt(((withDefault - withSmall) / withDefault) * 100, 0)}% of the added time at the default); ` +
      `request → insurer at ${DEFAULT_POLL_MS} ms − at ${SMALL_POLL_MS} ms = ${fmt(reachDefault - reachSmall)} ms\n` +
      `    (a commit to the outbox wakes this process's dispatcher: the difference should be noise)\n` +
      `  aim "the gateway adds under ${AIM_MS} ms at the median": measured ${fmt(withDefault)} ms with the default poll ` +
      `interval, ${fmt(withSmall)} ms with ${SMALL_POLL_MS} ms (${withDefault < AIM_MS ? 'within' : 'not within'} / ` +
      `${withSmall < AIM_MS ? 'within' : 'not within'} the aim)\n` +
      '  (one event loop carries gateway, sandbox and client: the insurer time also holds gateway timers that ran meanwhile)\n',
  );
}

/**
 * The load client: a process of its own (forked by run.ts), so its CPU is not counted as the
 * gateway's. Plain node:http with keep-alive sockets (one pool per gateway instance); requests go
 * round-robin over the instances, as a load balancer would send them. Receives a LoadPlan over IPC,
 * prepares (catalogue mapping, dispensing lines, MATCH tokens), runs the warm-up and the timed
 * window, and sends back a PhaseResult. The workload is described in workload.ts.
 */
import { Agent, request as httpRequest } from 'node:http';
import { SEED } from '../../src/sandbox/seed-people';
import {
  type ClientMessage,
  type Operation,
  OPERATIONS,
  pick,
  type PreparePlan,
  type Prepared,
  type RoundPlan,
  type RoundResult,
  type RunnerMessage,
  seededRandom,
  STEPS,
  type Target,
  type VerifiedVisit,
} from './workload';

const WORKER = SEED.activeFingers;
const MAPPING = ['院内项目编码,院内项目名称,项目类别,医保目录编码', 'ZL001,换药（中）,诊疗,001203000010000'].join(
  '\r\n',
);
/** The doctor's part of the relapse filing form, from HIS. */
const HIS_RELAPSE = {
  unitName: '宁夏鑫源建筑工程有限公司',
  phone: '13995112345',
  address: '宁夏银川市兴庆区解放东街88号',
  medicalHistory: '2025年4月左手压伤，经手术治疗后出院。近两周左手食指疼痛肿胀加重。',
  diagnosis: '左手食指关节僵硬，功能障碍加重',
  treatmentPeriod: '2026-11-25至2026-12-25',
  attendingDoctor: '李文',
  departmentHead: '王海燕',
  opinionDate: '2026-11-25',
};
const MAX_SAMPLES = 8;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A failed step: what the report prints. */
class StepFailure extends Error {}

function send(
  agent: Agent,
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Answer> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method,
        agent,
        headers: payload
          ? { ...headers, 'content-type': 'application/json', 'content-length': payload.length }
          : headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const json = (a: Answer): Record<string, unknown> => {
  try {
    return JSON.parse(a.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** Keep-alive sockets to the gateways (round-robin) and the insurer; gateway requests checked and timed. */
function connect(plan: Target) {
  const agents = plan.bases.map(() => new Agent({ keepAlive: true, maxSockets: 64 }));
  const insurerAgent = new Agent({ keepAlive: true, maxSockets: 16 });
  const auth = { authorization: `Bearer ${plan.apiKey}` };
  let turn = 0;
  /** Whether gateway requests are counted now (the timed window). */
  const count = { on: false, requests: 0 };

  /** One gateway request: the next instance in turn; checks the status, returns the answer and its ms. */
  const gateway = async (
    step: string,
    method: string,
    path: string,
    body: unknown,
    expect: number,
    extra: Record<string, string> = {},
  ): Promise<{ answer: Answer; ms: number }> => {
    const i = turn++ % plan.bases.length;
    const t0 = process.hrtime.bigint();
    const answer = await send(agents[i], `${plan.bases[i]}${path}`, method, body, { ...auth, ...extra });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (count.on) {
      count.requests++;
    }
    if (answer.status !== expect) {
      throw new StepFailure(
        `${step}: ${method} ${path} on instance ${i + 1} answered ${answer.status} (expected ${expect}): ${answer.body.toString('utf8').slice(0, 400)}`,
      );
    }
    return { answer, ms };
  };

  const mintQr = async (): Promise<string> => {
    const a = await send(
      insurerAgent,
      `${plan.insurer}/sandbox/qr-tokens`,
      'POST',
      {
        certno: WORKER.certno,
        kind: 'ecard',
      },
      {},
    );
    const token = json(a).token;
    if (a.status !== 201 || typeof token !== 'string') {
      throw new StepFailure(`sandbox QR token: answered ${a.status}: ${a.body.toString('utf8').slice(0, 200)}`);
    }
    return token;
  };

  /** A verification at `desk` for `visitId`: the step times and the MATCH token. */
  const verify = async (desk: string, visitId: string): Promise<{ times: number[]; token: string }> => {
    const opened = await gateway(
      'open session',
      'POST',
      '/api/v1/identity/sessions',
      {
        desk,
        visitId,
        visitKind: 'outpatient',
        hisIdentity: { idNumber: WORKER.certno, name: WORKER.psn_name },
      },
      201,
    );
    const id = json(opened.answer).id;
    if (typeof id !== 'string') {
      throw new StepFailure(`open session: no session id in ${opened.answer.body.toString('utf8').slice(0, 200)}`);
    }
    const qr = await mintQr();
    const matched = await gateway('QR → MATCH', 'POST', `/api/v1/identity/sessions/${id}/qr`, { text: qr }, 200);
    const verdict = json(matched.answer);
    if (verdict.verdict !== 'MATCH' || typeof verdict.token !== 'string') {
      throw new StepFailure(
        `QR → MATCH: expected MATCH with a token, got ${matched.answer.body.toString('utf8').slice(0, 400)}`,
      );
    }
    return { times: [opened.ms, matched.ms], token: verdict.token };
  };

  const close = (): void => {
    for (const a of [...agents, insurerAgent]) {
      a.destroy();
    }
  };
  return { gateway, verify, count, close };
}

/** The catalogue mapping and verified visits for the previews and the cashiers (not timed). */
export async function prepare(plan: PreparePlan): Promise<Prepared> {
  const started = Date.now();
  const { gateway, verify, close } = connect(plan);
  try {
    await gateway(
      'catalogue import',
      'POST',
      '/api/v1/settlement/catalogue/imports',
      { fileName: '对码.csv', contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64') },
      201,
    );
    const verified = async (count: number, prefix: string): Promise<VerifiedVisit[]> => {
      const out: VerifiedVisit[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(plan.concurrency, count) }, async (_, w) => {
          while (next < count) {
            const visitId = `${prefix}${String(next++).padStart(5, '0')}`;
            out.push({ visitId, token: (await verify(`预备${w + 1}`, visitId)).token });
          }
        }),
      );
      return out;
    };
    const previewVisits = await verified(plan.previewVisits, 'ZYP');
    const pool = await verified(plan.settlementPool, 'MZS');
    return { previewVisits, pool, seconds: (Date.now() - started) / 1000 };
  } finally {
    close();
  }
}

/** One round: dispensing lines, the warm-up, the timed window (announced through onWindow). */
export async function runRound(plan: RoundPlan, onWindow: (state: 'start' | 'end') => void): Promise<RoundResult> {
  const { gateway, verify, count, close } = connect(plan);
  const errorSamples: string[] = [];
  const errors: Record<Operation, number> = { verification: 0, scan: 0, preview: 0, settlement: 0 };
  const flows: Record<Operation, number[]> = { verification: [], scan: [], preview: [], settlement: [] };
  const completed: Record<Operation, number> = { verification: 0, scan: 0, preview: 0, settlement: 0 };
  const steps = Object.fromEntries(
    OPERATIONS.map((op) => [op, Object.fromEntries(STEPS[op].map((s) => [s, [] as number[]]))]),
  ) as Record<Operation, Record<string, number[]>>;
  const { previewVisits } = plan;
  const pool = [...plan.pool];

  const seen = new Set<string>();
  /** Counts a failed operation; keeps its message when it is one of the first few different ones. */
  const fail = (op: Operation, e: unknown): void => {
    errors[op]++;
    const message = `(${op}) ${e instanceof Error ? e.message : String(e)}`;
    const kind = message.replace(/"correlationId":"[^"]*"/, '').slice(0, 160);
    if (errorSamples.length < MAX_SAMPLES && !seen.has(kind)) {
      seen.add(kind);
      errorSamples.push(message);
    }
  };

  // One dispensing line per connection (a pharmacy window scans one box after the other).
  const windows = Array.from({ length: plan.connections }, (_, i) => `RX${plan.round}W${i}`);
  for (const visit of windows) {
    await gateway(
      'dispensing line',
      'PUT',
      `/api/v1/trace-codes/visits/${visit}/lines`,
      { lines: [{ lineNo: '1', medListCode: 'XJ01', drugName: '阿莫西林胶囊', quantity: 1_000_000 }] },
      200,
    );
  }

  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let stopping = false;
  let poolDry = 0;
  const now = (): number => performance.now();

  /** One operation, timed by the sum of its steps; recorded when it started inside the window. */
  const run = async (op: Operation, body: () => Promise<number[]>): Promise<void> => {
    const started = now();
    try {
      const times = await body();
      const ended = now();
      // Latency: every operation started in the window, however late it ends (no survivor bias);
      // throughput: those also answered inside it.
      if (started >= windowStart && started < windowEnd) {
        flows[op].push(times.reduce((a, b) => a + b, 0));
        STEPS[op].forEach((s, i) => steps[op][s].push(times[i]));
        if (ended <= windowEnd) {
          completed[op]++;
        }
      }
    } catch (e) {
      fail(op, e);
    }
  };

  let serial = 0;
  const desk = {
    verification: async (vu: number): Promise<void> => {
      const visitId = `MZ${plan.round}V${vu}N${serial++}`;
      await run('verification', async () => (await verify(`门诊挂号${vu + 1}`, visitId)).times);
    },
    scan: async (vu: number): Promise<void> => {
      // 20 digits: 7, the round (2), the window (3), a running number (14): a new box every time.
      const code = `7${String(plan.round).padStart(2, '0')}${String(vu).padStart(3, '0')}${String(serial++).padStart(14, '0')}`;
      await run('scan', async () => {
        const r = await gateway(
          'scan',
          'POST',
          '/api/v1/trace-codes/scans',
          {
            visitId: windows[vu],
            lineNo: '1',
            text: code,
          },
          201,
        );
        if (json(r.answer).code !== code) {
          throw new StepFailure(`scan: expected code ${code}, got ${r.answer.body.toString('utf8').slice(0, 300)}`);
        }
        return [r.ms];
      });
    },
    preview: async (vu: number): Promise<void> => {
      const visit = previewVisits[serial++ % previewVisits.length];
      await run('preview', async () => {
        const r = await gateway(
          'preview PDF',
          'POST',
          '/api/v1/forms/preview',
          {
            kind: 'relapse-filing',
            visitId: visit.visitId,
            verificationToken: visit.token,
            values: HIS_RELAPSE,
          },
          200,
        );
        if (
          r.answer.headers['content-type'] !== 'application/pdf' ||
          r.answer.body.subarray(0, 5).toString() !== '%PDF-'
        ) {
          throw new StepFailure(
            `preview PDF (doctor ${vu + 1}): not a PDF: ${r.answer.body.toString('utf8').slice(0, 300)}`,
          );
        }
        return [r.ms];
      });
    },
    settlement: async (vu: number): Promise<void> => {
      let visit = pool.pop();
      if (!visit) {
        poolDry++;
        const visitId = `MZ${plan.round}C${vu}N${serial++}`;
        let token = '';
        await run('verification', async () => {
          const v = await verify(`收费${vu + 1}`, visitId);
          token = v.token;
          return v.times;
        });
        if (!token) {
          return;
        }
        visit = { visitId, token };
      }
      const { visitId, token } = visit;
      await run('settlement', async () => {
        const opened = await gateway(
          'open visit',
          'POST',
          '/api/v1/settlement/visits',
          {
            visitId,
            psnNo: WORKER.psn_no,
            kind: 'outpatient',
            visitDate: plan.today,
            dept: '手外科',
            diagnosisCode: 'S62.600',
            diagnosisName: '左手食指骨折',
          },
          201,
        );
        const lines = await gateway(
          'fee lines',
          'PUT',
          `/api/v1/settlement/visits/${visitId}/lines`,
          {
            lines: [
              {
                lineId: '1',
                hisItemCode: 'ZL001',
                itemName: '换药（中）',
                kind: 'service',
                count: '1',
                unitPriceFen: 3000,
                amountFen: 3000,
                serviceDate: plan.today,
                injuryRelated: true,
              },
            ],
          },
          200,
        );
        const settled = await gateway(
          'settle (2207)',
          'POST',
          `/api/v1/settlement/visits/${visitId}/settlement`,
          {},
          201,
          {
            'x-verification-token': token,
          },
        );
        const s = json(settled.answer);
        if (s.status !== 'settled') {
          throw new StepFailure(
            `settle (2207): expected settled, got ${settled.answer.body.toString('utf8').slice(0, 400)}`,
          );
        }
        return [opened.ms, lines.ms, settled.ms];
      });
    },
  };

  const vus = Array.from({ length: plan.connections }, async (_, vu) => {
    const draw = seededRandom(vu + 1);
    while (!stopping) {
      await desk[pick(draw(), plan.weights)](vu);
    }
  });
  const sleep = (s: number): Promise<void> => new Promise((r) => setTimeout(r, s * 1000));
  await sleep(plan.warmupSeconds);
  windowStart = now();
  count.on = true;
  onWindow('start');
  await sleep(plan.seconds);
  windowEnd = now();
  count.on = false;
  onWindow('end');
  stopping = true;
  await Promise.all(vus);
  close();
  return {
    instances: plan.bases.length,
    seconds: (windowEnd - windowStart) / 1000,
    flows,
    completed,
    steps,
    requests: count.requests,
    errors,
    errorSamples,
    poolDry,
  };
}

if (require.main === module) {
  const reply = (m: ClientMessage): void => {
    process.send?.(m);
  };
  process.once('message', (m: RunnerMessage) => {
    const work: Promise<ClientMessage> =
      m.type === 'prepare'
        ? prepare(m.plan).then((prepared) => ({ type: 'prepared', prepared }))
        : runRound(m.plan, (state) => reply({ type: 'window', state })).then((result) => ({ type: 'result', result }));
    work.then(
      (message) => {
        reply(message);
        process.disconnect?.();
      },
      (e: unknown) => {
        reply({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        process.disconnect?.();
      },
    );
  });
}

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
  type LatencySummary,
  type LoadPlan,
  type Operation,
  type OperationResult,
  type PhaseResult,
  OPERATIONS,
  pick,
  seededRandom,
  shareOf,
  STEPS,
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
const PREVIEW_VISITS = 8;

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

function summary(values: number[]): LatencySummary {
  if (values.length === 0) {
    return { count: 0, p50: 0, p99: 0 };
  }
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { count: sorted.length, p50: at(0.5), p99: at(0.99) };
}

const json = (a: Answer): Record<string, unknown> => {
  try {
    return JSON.parse(a.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
};

export async function runPhase(plan: LoadPlan, onWindow: (state: 'start' | 'end') => void): Promise<PhaseResult> {
  const agents = plan.bases.map(() => new Agent({ keepAlive: true, maxSockets: 64 }));
  const insurerAgent = new Agent({ keepAlive: true, maxSockets: 16 });
  const auth = { authorization: `Bearer ${plan.apiKey}` };
  let turn = 0;
  /** Whether gateway requests are counted now (the timed window). */
  let counting = false;
  let requests = 0;

  const errorSamples: string[] = [];
  const errors: Record<Operation, number> = { verification: 0, scan: 0, preview: 0, settlement: 0 };
  const flows: Record<Operation, number[]> = { verification: [], scan: [], preview: [], settlement: [] };
  const steps = Object.fromEntries(
    OPERATIONS.map((op) => [op, Object.fromEntries(STEPS[op].map((s) => [s, [] as number[]]))]),
  ) as Record<Operation, Record<string, number[]>>;

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
    if (counting) {
      requests++;
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

  const fail = (op: Operation, e: unknown): void => {
    errors[op]++;
    if (errorSamples.length < MAX_SAMPLES) {
      errorSamples.push(`${op}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  // Preparation (not timed): the catalogue mapping, one dispensing line per pharmacy window, MATCH tokens.
  const prepStarted = Date.now();
  await gateway(
    'catalogue import',
    'POST',
    '/api/v1/settlement/catalogue/imports',
    {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    },
    plan.phase === 1 ? 201 : 200,
  );
  const windows = Array.from({ length: plan.connections }, (_, i) => `RX${plan.phase}W${i}`);
  for (const visit of windows) {
    await gateway(
      'dispensing line',
      'PUT',
      `/api/v1/trace-codes/visits/${visit}/lines`,
      {
        lines: [{ lineNo: '1', medListCode: 'XJ01', drugName: '阿莫西林胶囊', quantity: 1_000_000 }],
      },
      200,
    );
  }
  let made = 0;
  const prepare = async (count: number, prefix: string): Promise<Array<{ visitId: string; token: string }>> => {
    const out: Array<{ visitId: string; token: string }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(8, count) }, async (_, w) => {
        while (next < count) {
          const visitId = `${prefix}${String(next++).padStart(5, '0')}`;
          out.push({ visitId, token: (await verify(`预备${w}`, visitId)).token });
          made++;
        }
      }),
    );
    return out;
  };
  const previewVisits = await prepare(PREVIEW_VISITS, `ZY${plan.phase}P`);
  const pool = await prepare(plan.settlementPool, `MZ${plan.phase}S`);
  const prepared = { verifications: made, seconds: (Date.now() - prepStarted) / 1000 };

  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let stopping = false;
  let poolDry = 0;
  const now = (): number => performance.now();

  /** One operation, timed by the sum of its steps; recorded when it started and ended inside the window. */
  const run = async (op: Operation, body: () => Promise<number[]>): Promise<void> => {
    const started = now();
    try {
      const times = await body();
      const ended = now();
      if (started >= windowStart && ended <= windowEnd) {
        flows[op].push(times.reduce((a, b) => a + b, 0));
        STEPS[op].forEach((s, i) => steps[op][s].push(times[i]));
      }
    } catch (e) {
      fail(op, e);
    }
  };

  let serial = 0;
  const desk = {
    verification: async (vu: number): Promise<void> => {
      const visitId = `MZ${plan.phase}V${vu}N${serial++}`;
      await run('verification', async () => (await verify(`门诊挂号${vu + 1}`, visitId)).times);
    },
    scan: async (vu: number): Promise<void> => {
      // 20 digits: 7, the phase, the window (3), a running number (15): a new box every time.
      const code = `7${plan.phase % 10}${String(vu).padStart(3, '0')}${String(serial++).padStart(15, '0')}`;
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
        const visitId = `MZ${plan.phase}C${vu}N${serial++}`;
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
      await desk[pick(draw())](vu);
    }
  });
  const sleep = (s: number): Promise<void> => new Promise((r) => setTimeout(r, s * 1000));
  await sleep(plan.warmupSeconds);
  windowStart = now();
  counting = true;
  onWindow('start');
  await sleep(plan.seconds);
  windowEnd = now();
  counting = false;
  onWindow('end');
  stopping = true;
  await Promise.all(vus);
  const seconds = (windowEnd - windowStart) / 1000;
  for (const a of [...agents, insurerAgent]) {
    a.destroy();
  }

  const operations = Object.fromEntries(
    OPERATIONS.map((op): [Operation, OperationResult] => [
      op,
      {
        share: shareOf(op),
        completed: flows[op].length,
        perSecond: flows[op].length / seconds,
        latency: summary(flows[op]),
        steps: Object.fromEntries(STEPS[op].map((s) => [s, summary(steps[op][s])])),
        errors: errors[op],
      },
    ]),
  ) as Record<Operation, OperationResult>;
  return {
    instances: plan.bases.length,
    connections: plan.connections,
    seconds,
    operations,
    requestsPerSecond: requests / seconds,
    errors: OPERATIONS.reduce((s, op) => s + errors[op], 0),
    errorSamples,
    prepared,
    poolDry,
  };
}

if (require.main === module) {
  const reply = (m: ClientMessage): void => {
    process.send?.(m);
  };
  process.once('message', (plan: LoadPlan) => {
    runPhase(plan, (state) => reply({ type: 'window', state })).then(
      (result) => {
        reply({ type: 'result', result });
        process.disconnect?.();
      },
      (e: unknown) => {
        reply({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
        process.disconnect?.();
      },
    );
  });
}

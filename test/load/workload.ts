/**
 * The morning-peak workload shared by the runner (run.ts) and the load client (client.ts): who
 * works at 7:30, what each does, and the shape of what the client reports back.
 *
 * Closed loop, no think time: each connection is HIS sending the next request as soon as the last
 * one is answered, so the gateway runs as fast as it can. Each connection draws its next operation
 * by WEIGHTS (seeded: every phase draws the same sequence): per worker at 7:30 one verification, one
 * settlement, about four drug boxes scanned, and a form for one worker in five. Drawing the mix (not
 * giving each operation its own connections) keeps the rare, CPU-heavy PDF preview rare.
 *
 *  - verification (registration desks, 挂号): HIS opens an identity session for a new visit with the
 *    worker's ID number and name; the worker shows the e-card QR code (minted by the sandbox insurer,
 *    as the worker's phone would show it: not timed, not a gateway request); the gateway decodes it
 *    at the insurer and decides → MATCH with a verification token. Two insurer round trips.
 *  - scan (pharmacy windows, 发药): one trace code onto the connection's own dispensing line (a window
 *    scans one box after the other), a new code every time (a box is scanned once). No insurer.
 *  - preview (doctors, 医生): the relapse filing form (复发申请表) of a verified visit previewed as a
 *    PDF (the worker's fields from the verification token, the doctor's from HIS). No insurer.
 *  - settlement (cashiers, 收费): a verified visit is opened in the gateway, its fee line declared (one
 *    dressing, 30.00 yuan), and settled (2207 through the outbox to the insurer, answered 201 when the
 *    insurer's outcome is in). The MATCH tokens are made before the timed phase (a pool); should the
 *    pool run dry, the cashier verifies the visit first (counted as a verification, and reported).
 *
 * Every answer is checked (status and body); anything else is an error, printed with its body.
 */

export const OPERATIONS = ['verification', 'scan', 'preview', 'settlement'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** How often each operation is drawn (per worker: 1 verification, 4 scans, 1 settlement, 0.2 forms). */
export const WEIGHTS: Record<Operation, number> = { verification: 5, scan: 20, preview: 1, settlement: 5 };

/** The timed steps of each operation (gateway requests only). */
export const STEPS: Record<Operation, readonly string[]> = {
  verification: ['open session', 'QR → MATCH'],
  scan: ['scan'],
  preview: ['preview PDF'],
  settlement: ['open visit', 'fee lines', 'settle (2207)'],
};

/** The share of an operation in the mix, 0..1. */
export function shareOf(op: Operation, weights: Record<Operation, number> = WEIGHTS): number {
  return weights[op] / OPERATIONS.reduce((s, o) => s + weights[o], 0);
}

/** LOAD_MIX, e.g. `scan=1` (only scans) or `verification=5,scan=20,preview=1,settlement=5`: unnamed ones 0. */
export function parseMix(text: string | undefined): Record<Operation, number> {
  if (text === undefined || text.trim() === '') {
    return { ...WEIGHTS };
  }
  const weights: Record<Operation, number> = { verification: 0, scan: 0, preview: 0, settlement: 0 };
  for (const part of text.split(',')) {
    const [name, value] = part.split('=').map((x) => x.trim());
    if (!(OPERATIONS as readonly string[]).includes(name) || !/^\d+(\.\d+)?$/.test(value ?? '')) {
      throw new Error(
        `LOAD_MIX: expected <operation>=<weight>,… with operations ${OPERATIONS.join(', ')}; got ${part}`,
      );
    }
    weights[name as Operation] = Number(value);
  }
  if (OPERATIONS.every((op) => weights[op] === 0)) {
    throw new Error('LOAD_MIX: at least one weight must be above 0');
  }
  return weights;
}

/** A small seeded generator (mulberry32): the same draws in every phase. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The operation a draw r in 0..1 picks, by the weights. */
export function pick(r: number, weights: Record<Operation, number>): Operation {
  let acc = 0;
  for (const op of OPERATIONS) {
    acc += shareOf(op, weights);
    if (r < acc && weights[op] > 0) {
      return op;
    }
  }
  return [...OPERATIONS].reverse().find((op) => weights[op] > 0) as Operation;
}

/** A verified visit: its HIS visit id and the MATCH token for it. */
export interface VerifiedVisit {
  visitId: string;
  token: string;
}

/** Where the client sends its requests. */
export interface Target {
  /** The gateway instances; requests go round-robin over them (as a load balancer would). */
  bases: string[];
  insurer: string;
  apiKey: string;
}

/** Made once, before the first round (not timed): the catalogue mapping and MATCH tokens. */
export interface PreparePlan extends Target {
  /** Verified visits for the doctors' previews. */
  previewVisits: number;
  /** Verified visits for the cashiers, shared out among the rounds. */
  settlementPool: number;
  concurrency: number;
}

export interface Prepared {
  previewVisits: VerifiedVisit[];
  pool: VerifiedVisit[];
  seconds: number;
}

/** One round: a fresh set of gateway processes, a warm-up, a timed window. */
export interface RoundPlan extends Target {
  /** 1-based: makes the dispensing lines, visit ids and trace codes of each round unique. */
  round: number;
  /** Beijing date (YYYY-MM-DD) of the visits. */
  today: string;
  warmupSeconds: number;
  seconds: number;
  /** HIS connections, each drawing its operations from the mix. */
  connections: number;
  /** The mix (WEIGHTS unless LOAD_MIX says otherwise). */
  weights: Record<Operation, number>;
  previewVisits: VerifiedVisit[];
  /** This round's share of the settlement pool. */
  pool: VerifiedVisit[];
}

/** What one round measured, raw (the runner merges the rounds of one configuration). */
export interface RoundResult {
  instances: number;
  seconds: number;
  /** Per operation: the ms of each operation started in the window (answered before its end or not). */
  flows: Record<Operation, number[]>;
  /** Per operation: how many of those were answered before the window's end. */
  completed: Record<Operation, number>;
  steps: Record<Operation, Record<string, number[]>>;
  /** Gateway HTTP requests answered in the window. */
  requests: number;
  /** Failed operations, warm-up included. */
  errors: Record<Operation, number>;
  errorSamples: string[];
  poolDry: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
}

export function summary(values: number[]): LatencySummary {
  if (values.length === 0) {
    return { count: 0, p50: 0, p99: 0 };
  }
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { count: sorted.length, p50: at(0.5), p99: at(0.99) };
}

export interface OperationResult {
  /** Its share of the mix, 0..1. */
  share: number;
  /** Operations started in the timed windows and answered before their end (throughput). */
  completed: number;
  perSecond: number;
  /** The whole operation (its timed steps), ms: every operation started in the windows. */
  latency: LatencySummary;
  steps: Record<string, LatencySummary>;
  /** Failed operations, warm-up included. */
  errors: number;
}

/** One configuration (1 or 2 instances), its rounds merged. */
export interface PhaseResult {
  instances: number;
  connections: number;
  rounds: number;
  /** Timed seconds, all rounds. */
  seconds: number;
  operations: Record<Operation, OperationResult>;
  /** Gateway HTTP requests answered in the timed windows, per second. */
  requestsPerSecond: number;
  errors: number;
  /** The first few failures: operation, step, status and body. */
  errorSamples: string[];
  /** Settlements whose MATCH token was not in the pool (verified inline). */
  poolDry: number;
}

/** The rounds of one configuration as one result: latencies pooled, throughput over the summed windows. */
export function mergeRounds(
  rounds: RoundResult[],
  connections: number,
  weights: Record<Operation, number> = WEIGHTS,
): PhaseResult {
  const seconds = rounds.reduce((s, r) => s + r.seconds, 0);
  const operations = Object.fromEntries(
    OPERATIONS.map((op): [Operation, OperationResult] => {
      const flows = rounds.flatMap((r) => r.flows[op]);
      const completed = rounds.reduce((s, r) => s + r.completed[op], 0);
      return [
        op,
        {
          share: shareOf(op, weights),
          completed,
          perSecond: completed / seconds,
          latency: summary(flows),
          steps: Object.fromEntries(STEPS[op].map((s) => [s, summary(rounds.flatMap((r) => r.steps[op][s]))])),
          errors: rounds.reduce((s, r) => s + r.errors[op], 0),
        },
      ];
    }),
  ) as Record<Operation, OperationResult>;
  return {
    instances: rounds[0].instances,
    connections,
    rounds: rounds.length,
    seconds,
    operations,
    requestsPerSecond: rounds.reduce((s, r) => s + r.requests, 0) / seconds,
    errors: OPERATIONS.reduce((s, op) => s + operations[op].errors, 0),
    errorSamples: rounds.flatMap((r) => r.errorSamples).slice(0, 8),
    poolDry: rounds.reduce((s, r) => s + r.poolDry, 0),
  };
}

/** Messages from the runner to the client (IPC). */
export type RunnerMessage = { type: 'prepare'; plan: PreparePlan } | { type: 'round'; plan: RoundPlan };

/** Messages from the client to the runner (IPC). */
export type ClientMessage =
  | { type: 'window'; state: 'start' | 'end' }
  | { type: 'prepared'; prepared: Prepared }
  | { type: 'result'; result: RoundResult }
  | { type: 'failed'; error: string };

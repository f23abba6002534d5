import { OPERATIONS, type PhaseResult, STEPS } from './workload';

/** A process's memory and CPU over a phase's timed window (null where /proc could not be read). */
export interface ProcessUsage {
  name: string;
  startRssMb: number | null;
  peakRssMb: number | null;
  /** CPU time / wall time over the window, in % of one core. */
  cpuPercent: number | null;
}

export interface PhaseReport {
  result: PhaseResult;
  usage: ProcessUsage[];
}

export interface LoadReport {
  machine: { cores: number; cpu: string; loadAverageAtStart: number; node: string };
  insurerMs: { low: number; high: number };
  database: string;
  /** Verified visits made before the first round (not timed). */
  prepared: { verifications: number; seconds: number };
  phases: PhaseReport[];
  totalSeconds: number;
}

const num = (n: number | null | undefined, digits = 1): string =>
  n === null || n === undefined ? 'n/a' : n.toFixed(digits);
const ratio = (a: number | null | undefined, b: number | null | undefined): string =>
  a === null || a === undefined || b === null || b === undefined || a === 0 ? '-' : (b / a).toFixed(2);

/** One configuration's rounds: RSS at the first window's start, the highest peak, the mean CPU. */
export function mergeUsage(rounds: ProcessUsage[][]): ProcessUsage[] {
  const names = [...new Set(rounds.flatMap((r) => r.map((u) => u.name)))];
  return names.map((name) => {
    const all = rounds.map((r) => r.find((u) => u.name === name)).filter((u): u is ProcessUsage => u !== undefined);
    const known = (values: Array<number | null>): number[] | null =>
      values.some((v) => v === null) ? null : (values as number[]);
    const peaks = known(all.map((u) => u.peakRssMb));
    const cpu = known(all.map((u) => u.cpuPercent));
    return {
      name,
      startRssMb: all[0]?.startRssMb ?? null,
      peakRssMb: peaks ? Math.max(...peaks) : null,
      cpuPercent: cpu ? cpu.reduce((a, b) => a + b, 0) / cpu.length : null,
    };
  });
}

/** The gateways' peak RSS summed (one or two instances). */
export function gatewaysPeakRssMb(phase: PhaseReport): number | null {
  const gateways = phase.usage.filter((u) => u.name.startsWith('gateway'));
  return gateways.some((u) => u.peakRssMb === null) ? null : gateways.reduce((s, u) => s + (u.peakRssMb ?? 0), 0);
}

/** The report as printed: one column per phase (1 instance, 2 instances), and their ratio last/first. */
export function formatReport(r: LoadReport): string {
  const phases = r.phases;
  const first = phases[0];
  const last = phases[phases.length - 1];
  const compare = phases.length > 1;
  const W = 30;
  const CELL = 32;
  const head = (label: string, cells: string[], tail = ''): string =>
    `${label.padEnd(W)}${cells.map((c) => c.padStart(CELL)).join('')}${tail ? `   ${tail}` : ''}`;
  const lines: string[] = [];
  const insurer =
    r.insurerMs.low === r.insurerMs.high ? `${r.insurerMs.low} ms` : `${r.insurerMs.low}–${r.insurerMs.high} ms`;
  lines.push('', `morning-peak load test — ${r.database}, sandbox insurer answering in ${insurer}`);
  lines.push(
    `machine: ${r.machine.cores} cores (${r.machine.cpu}), load average ${r.machine.loadAverageAtStart.toFixed(2)} at start, Node ${r.machine.node}.`,
    `The gateways, the sandbox insurer, PostgreSQL and the load client all share these ${r.machine.cores} cores: the ratios are indicative.`,
    `${first.result.connections} HIS connections drawing from the mix (share of operations in brackets), closed loop, no think time;`,
    `${first.result.seconds.toFixed(1)} s timed per configuration in ${first.result.rounds} rounds, alternating, each on fresh gateway processes after a warm-up;`,
    'with two instances requests go round-robin over both.',
    '',
  );
  lines.push(
    head(
      '',
      phases.map((p) => `${p.result.instances} instance${p.result.instances === 1 ? '' : 's'}`),
      compare ? `${last.result.instances}/${first.result.instances}` : '',
    ),
  );
  lines.push(
    head(
      'operation',
      phases.map(() => '  ops/s   p50 ms   p99 ms  errors'),
      compare ? 'ops/s  p50' : '',
    ),
  );
  for (const op of OPERATIONS) {
    const cells = phases.map((p) => {
      const o = p.result.operations[op];
      return `${num(o.perSecond).padStart(7)} ${num(o.latency.p50).padStart(8)} ${num(o.latency.p99).padStart(8)} ${String(o.errors).padStart(7)}`;
    });
    const a = first.result.operations[op];
    const b = last.result.operations[op];
    lines.push(
      head(
        `${op} (${(a.share * 100).toFixed(0)}%)`,
        cells,
        compare
          ? `${ratio(a.perSecond, b.perSecond).padStart(5)} ${ratio(a.latency.p50, b.latency.p50).padStart(5)}`
          : '',
      ),
    );
    if (STEPS[op].length > 1) {
      for (const step of STEPS[op]) {
        lines.push(
          head(
            `  ${step}`,
            phases.map((p) => {
              const s = p.result.operations[op].steps[step];
              return `${''.padStart(7)} ${num(s.p50).padStart(8)} ${num(s.p99).padStart(8)} ${''.padStart(7)}`;
            }),
            compare ? `${''.padStart(5)} ${ratio(a.steps[step].p50, b.steps[step].p50).padStart(5)}` : '',
          ),
        );
      }
    }
  }
  const total = (p: PhaseReport): number => OPERATIONS.reduce((s, op) => s + p.result.operations[op].perSecond, 0);
  lines.push(
    head(
      'all operations, ops/s',
      phases.map((p) => num(total(p))),
      compare ? ratio(total(first), total(last)) : '',
    ),
    head(
      'gateway HTTP requests/s',
      phases.map((p) => num(p.result.requestsPerSecond)),
      compare ? ratio(first.result.requestsPerSecond, last.result.requestsPerSecond) : '',
    ),
    head(
      'errors',
      phases.map((p) => String(p.result.errors)),
    ),
    '',
    head(
      'process (timed windows)',
      phases.map(() => 'RSS start→peak MB   CPU %'),
    ),
  );
  const names = [...new Set(phases.flatMap((p) => p.usage.map((u) => u.name)))];
  for (const name of names) {
    lines.push(
      head(
        name,
        phases.map((p) => {
          const u = p.usage.find((x) => x.name === name);
          return u ? `${num(u.startRssMb, 0)}→${num(u.peakRssMb, 0)}   ${num(u.cpuPercent, 0).padStart(5)}` : '-';
        }),
      ),
    );
  }
  lines.push(
    head(
      'gateways, peak RSS in all (MB)',
      phases.map((p) => num(gatewaysPeakRssMb(p), 0)),
      compare ? ratio(gatewaysPeakRssMb(first), gatewaysPeakRssMb(last)) : '',
    ),
    '',
  );
  lines.push(
    `${r.prepared.verifications} verified visits prepared in ${r.prepared.seconds.toFixed(1)} s before the first round (not timed); settlement pool ran dry ${phases.map((p) => p.result.poolDry).join(' / ')} times (verified inline).`,
  );
  const errors = phases.reduce((s, p) => s + p.result.errors, 0);
  if (errors > 0) {
    lines.push('', `ERRORS: ${errors} (must be 0). The first ones:`);
    for (const p of phases) {
      for (const e of p.result.errorSamples) {
        lines.push(`  [${p.result.instances} instance${p.result.instances === 1 ? '' : 's'}] ${e}`);
      }
    }
  }
  lines.push('', `whole run: ${r.totalSeconds.toFixed(0)} s`, '');
  return lines.join('\n');
}

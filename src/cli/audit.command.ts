import {
  AuditChainRepository,
  AuditChainService,
  AuditVerifier,
  checkExportFile,
  exportAudit,
  SystemClock,
  Transactions,
  type ChainPoint,
  type GatewayConfig,
  type VerifyReport,
} from '../platform';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

const USE = `use: audit verify [--from <seq|ISO time>] [--to <seq|ISO time>] [--checkpoint <seq>:<hash>]
       audit verify --file <export.jsonl>
       audit export --from <YYYY-MM-DD|ISO time> --to <YYYY-MM-DD|ISO time> --out <file.jsonl>
       audit status
       audit seal`;

export interface AuditOptions {
  from?: string;
  to?: string;
  out?: string;
  checkpoint?: string;
  file?: string;
}

/**
 * `audit verify | export | status | seal`: the tamper-evident audit trail from the database (works with
 * the gateway stopped). verify exits 0 when the chain is intact, 1 naming the first broken link.
 * `verify --file` needs no configuration (an assessor's machine): the config is read only when needed.
 */
export async function auditCommand(
  configOf: () => GatewayConfig,
  sub: string | undefined,
  options: AuditOptions,
  out: CliOutput,
  now: Date = new Date(),
): Promise<number> {
  if (sub === 'verify' && options.file !== undefined) {
    return verifyFile(options.file, out);
  }
  const config = configOf();
  switch (sub) {
    case 'verify':
      return verify(config, options, out, now);
    case 'export':
      return exportPeriod(config, options, out, now);
    case 'status':
      return status(config, out, now);
    case 'seal':
      return withDataSource(config, async (ds) => {
        const chain = new AuditChainRepository(ds);
        const n = await new AuditChainService(new Transactions(ds), chain, new SystemClock(), config).sealPending();
        const head = await chain.head();
        out.log(`sealed ${n} entr${n === 1 ? 'y' : 'ies'}; the chain is at seq ${head.seq} (${head.chainHash})`);
        return 0;
      });
    case undefined:
    default:
      throw new CliError(USE);
  }
}

async function verify(config: GatewayConfig, o: AuditOptions, out: CliOutput, now: Date): Promise<number> {
  const from = o.from === undefined ? undefined : seqOrTime(o.from, '--from');
  const to = o.to === undefined ? undefined : seqOrTime(o.to, '--to');
  const checkpoint = o.checkpoint === undefined ? undefined : parseCheckpoint(o.checkpoint);
  return withDataSource(config, async (ds) => {
    const started = Date.now();
    let lastProgress = started;
    const report = await new AuditVerifier(new AuditChainRepository(ds)).verify({
      from,
      to,
      checkpoint,
      maxUnsealedMinutes: config.audit.maxUnsealedMinutes,
      now,
      onProgress: (checked, total) => {
        if (Date.now() - lastProgress >= 2000) {
          lastProgress = Date.now();
          out.error(`… ${checked} of ${total} entries checked`);
        }
      },
    });
    printReport(report, out);
    return report.ok ? 0 : 1;
  });
}

function printReport(r: VerifyReport, out: CliOutput): void {
  const range = r.toSeq < r.fromSeq ? 'no sealed entries' : `seq ${r.fromSeq} to ${r.toSeq}`;
  if (r.ok) {
    out.log(`audit chain intact: ${r.checked} entries checked (${range}), starting from ${r.start}`);
    return;
  }
  const p = r.problem;
  out.log(`audit chain BROKEN after ${r.checked} intact entries (${range}, starting from ${r.start})`);
  if (p) {
    const where = [
      p.seq !== undefined ? `seq ${p.seq}` : '',
      p.id ? `id ${p.id}` : '',
      p.at ? `at ${p.at.toISOString()}` : '',
      p.action ? `action ${p.action}` : '',
    ].filter((s) => s !== '');
    out.log(`first broken link: ${where.join(', ')}`);
    out.log(`  ${p.detail}`);
  }
  out.log('what to do: docs/operations.md#verifying-the-audit-trail');
}

async function verifyFile(file: string, out: CliOutput): Promise<number> {
  const result = await checkExportFile(file);
  if (result.ok) {
    out.log(
      `export intact: ${result.checked} entries (seq ${result.header?.firstSeq} to ${result.header?.lastSeq}), ` +
        `starting from prev hash ${result.header?.prevHash ?? 'none'} — compare it with a checkpoint or the previous export`,
    );
    return 0;
  }
  const p = result.problem;
  out.log(`export BROKEN after ${result.checked} intact entries`);
  if (p) {
    const seq = 'seq' in p && p.seq !== undefined ? `seq ${p.seq}${'id' in p && p.id ? `, id ${p.id}` : ''}: ` : '';
    out.log(`  ${seq}${p.detail}`);
  }
  return 1;
}

async function exportPeriod(config: GatewayConfig, o: AuditOptions, out: CliOutput, now: Date): Promise<number> {
  if (o.from === undefined || o.to === undefined || o.out === undefined) {
    throw new CliError(`audit export needs --from, --to and --out\n${USE}`);
  }
  const from = dayOrTime(o.from, '--from');
  const to = dayOrTime(o.to, '--to');
  if (to <= from) {
    throw new CliError('--to must be after --from (a day as --to means up to its start, Beijing time)');
  }
  const file = o.out;
  return withDataSource(config, async (ds) => {
    let lastProgress = Date.now();
    const written = await exportAudit(new AuditChainRepository(ds), { from, to }, file, now, (n, total) => {
      if (Date.now() - lastProgress >= 2000) {
        lastProgress = Date.now();
        out.error(`… ${n} of ${total} entries written`);
      }
    });
    out.log(
      written.count === 0
        ? `no sealed entries between ${from.toISOString()} and ${to.toISOString()}; ${file} holds the header and trailer only`
        : `${written.count} entries (seq ${written.firstSeq} to ${written.lastSeq}) written to ${file}; ` +
            `last chain hash ${written.lastChainHash}. Check it with: gateway audit verify --file ${file}`,
    );
    return 0;
  });
}

async function status(config: GatewayConfig, out: CliOutput, now: Date): Promise<number> {
  return withDataSource(config, async (ds) => {
    const chain = new AuditChainRepository(ds);
    const head = await chain.head();
    const unsealed = await chain.unsealedSummary();
    const checkpoint = await chain.latestCheckpoint('periodic');
    const anchor = await chain.latestCheckpoint('prune');
    out.log(`sealed up to seq ${head.seq} (${head.chainHash})`);
    out.log(
      `unsealed: ${unsealed.count}` +
        (unsealed.oldest
          ? `, oldest ${unsealed.oldest.id} from ${unsealed.oldest.at.toISOString()} (${Math.round((now.getTime() - unsealed.oldest.at.getTime()) / 1000)} s ago)`
          : ''),
    );
    out.log(
      checkpoint
        ? `last checkpoint: seq ${checkpoint.seq} ${checkpoint.chainHash} at ${checkpoint.at.toISOString()}`
        : 'last checkpoint: none yet',
    );
    out.log(
      anchor
        ? `retention: ${config.audit.retentionMonths} months; pruned up to seq ${anchor.seq} (${anchor.chainHash}) at ${anchor.at.toISOString()}`
        : `retention: ${config.audit.retentionMonths} months; nothing pruned yet`,
    );
    return 0;
  });
}

function seqOrTime(v: string, flag: string): number | Date {
  if (/^\d+$/.test(v)) {
    return Number(v);
  }
  return dayOrTime(v, flag);
}

/** A Beijing day (its start, 00:00 +08:00) or an ISO 8601 time with an offset. */
function dayOrTime(v: string, flag: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00+08:00` : v;
  const d = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}(T.*(Z|[+-]\d{2}:\d{2}))?$/.test(iso) || Number.isNaN(d.getTime())) {
    throw new CliError(
      `${flag} must be a seq number, a day YYYY-MM-DD (Beijing) or an ISO time with offset, like 2026-12-01T08:00:00+08:00`,
    );
  }
  return d;
}

function parseCheckpoint(v: string): ChainPoint {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(v.trim());
  if (!m) {
    throw new CliError(
      '--checkpoint must be <seq>:<chain hash> as the "audit chain checkpoint" log line gives them, like 1234:9f…(64 hex digits)',
    );
  }
  return { seq: Number(m[1]), chainHash: m[2] };
}

import type { ReconciliationDto } from '../obligations/declaration/declaration.dto';
import type {
  AuditResultDto,
  AuditResultSummaryDto,
  MissingAuditResultDto,
} from '../obligations/audit-results/audit-results.dto';
import type { GatewayConfig } from '../platform';
import type { SettlementDto } from '../settlement/settlement.dto';
import { CliError, CliOutput } from './cli-io';
import { gatewayRequest } from './gateway-http';

const USE = `use: settlements list --status <status>
     settlements review <id> --requery [--staff <name>]
     settlements review <id> --resolve not-settled --staff <name> --note <text> [--evidence <text>]
     settlements review <id> --resolve settled --staff <name> --note <text> --setl-id <id>
         --setl-time 'yyyy-MM-dd HH:mm:ss' --fund-fen <n> --self-pay-fen <n> [--line <lineId>:<fundFen>:<selfPayFen>]...
     settlements reconcile --from yyyy-MM-dd --to yyyy-MM-dd
     settlements audits [--missing | --state pending|done|closed]
     settlements audit <id> [--check]
   (each with [--url <gateway>] [--key <API key>], key also from GATEWAY_API_KEY)`;

export interface SettlementsOptions {
  status?: string;
  requery?: boolean;
  resolve?: string;
  staff?: string;
  note?: string;
  evidence?: string;
  'setl-id'?: string;
  'setl-time'?: string;
  'fund-fen'?: string;
  'self-pay-fen'?: string;
  line?: string[];
  from?: string;
  to?: string;
  missing?: boolean;
  check?: boolean;
  state?: string;
  url?: string;
  key?: string;
}

/**
 * `settlements list|review`: IT's view of settlements by status and the way out of needs-review.
 * They ask the running gateway over its API (like `devices status`), not the database: a requery
 * needs the gateway's live insurer link, and the desk's events and the dispatcher's wake-up happen in
 * the gateway's process. list needs a key with the settlement or admin scope; review, admin.
 */
export async function settlementsCommand(
  config: GatewayConfig,
  sub: string | undefined,
  rest: string[],
  options: SettlementsOptions,
  osUser: string,
  out: CliOutput,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  if (sub !== 'list' && sub !== 'review' && sub !== 'reconcile' && sub !== 'audits' && sub !== 'audit') {
    throw new CliError(USE);
  }
  const key = options.key ?? env.GATEWAY_API_KEY;
  if (!key) {
    throw new CliError(
      `settlements ${sub} asks the running gateway: give an API key (${sub === 'review' ? 'admin' : 'settlement or admin'} scope) in --key or GATEWAY_API_KEY`,
    );
  }
  if (sub === 'reconcile') {
    if (!options.from || !options.to) {
      throw new CliError(`--from and --to are required (yyyy-MM-dd, Beijing; before today)\n${USE}`);
    }
    const run = await gatewayRequest<ReconciliationDto>(config, {
      method: 'POST',
      path: '/api/v1/reconciliations',
      url: options.url,
      key,
      body: { from: options.from, to: options.to },
    });
    reconciliationLines(run).forEach((line) => out.log(line));
    return run.state === 'agreed' ? 0 : 1;
  }
  if (sub === 'audits' || sub === 'audit') {
    return auditsCommand(config, sub, rest, options, key, out);
  }
  if (sub === 'list') {
    if (!options.status) {
      throw new CliError(`--status is required (e.g. needs-review)\n${USE}`);
    }
    const rows = await gatewayRequest<SettlementDto[]>(config, {
      method: 'GET',
      path: `/api/v1/settlement/settlements?status=${encodeURIComponent(options.status)}`,
      url: options.url,
      key,
    });
    rows.forEach((r) => out.log(listLine(r)));
    if (rows.length === 0) {
      out.log(`no settlements in ${options.status}`);
    }
    return 0;
  }
  const id = rest[0];
  if (!id) {
    throw new CliError(USE);
  }
  const after = await gatewayRequest<SettlementDto>(config, {
    method: 'POST',
    path: `/api/v1/settlement/settlements/${encodeURIComponent(id)}/review`,
    url: options.url,
    key,
    body: reviewBody(options, osUser),
  });
  out.log(listLine(after));
  return after.status === 'needs-review' ? 1 : 0;
}

/** A reconciliation run as the terminal shows it: the verdict, both sides' totals, then one line per differing settlement. */
export function reconciliationLines(run: ReconciliationDto): string[] {
  const yuan = (fen: number): string =>
    `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
  const totals = (t: { setlCnt: number; medfeeFen: number; fundFen: number; psnFen: number }): string =>
    `${t.setlCnt} 笔  费用 ${yuan(t.medfeeFen)}  基金 ${yuan(t.fundFen)}  个人 ${yuan(t.psnFen)}`;
  const verdict = { agreed: '对账一致', differs: '对账不一致', failed: '对账未完成' }[run.state] ?? run.state;
  const lines = [
    `${run.from} – ${run.to}  ${verdict}  (run ${run.id})`,
    `  网关   ${totals(run.local)}`,
    run.insurer ? `  经办   ${totals(run.insurer)}` : `  经办   —  ${run.error ?? ''}`.trimEnd(),
  ];
  for (const d of run.differences) {
    const figures = (side: { totalFen: number; fundFen: number } | null): string =>
      side ? `${yuan(side.totalFen)}/${yuan(side.fundFen)}` : '—';
    lines.push(
      `  ${d.kind}  setl_id ${d.setlId ?? '—'}  settlement ${d.settlementId ?? '—'}  visit ${d.mdtrtId}  网关 ${figures(d.local)}  经办 ${figures(d.insurer)}`,
      `    ${d.todo}`,
    );
  }
  return lines;
}

/**
 * `settlements audits`: the insurer's audit results (R18) — every watched settlement, or with
 * `--missing` those past the insurer's 30 days without a result; `settlements audit <id>`: one
 * settlement's result with its deductions per line (`--check` asks the insurer first).
 */
async function auditsCommand(
  config: GatewayConfig,
  sub: 'audits' | 'audit',
  rest: string[],
  options: SettlementsOptions,
  key: string,
  out: CliOutput,
): Promise<number> {
  const ask = <T>(method: 'GET' | 'POST', path: string) =>
    gatewayRequest<T>(config, { method, path, url: options.url, key });
  if (sub === 'audit') {
    const id = rest[0];
    if (!id) {
      throw new CliError(`settlements audit needs the settlement's id\n${USE}`);
    }
    const path = `/api/v1/settlement/settlements/${encodeURIComponent(id)}/audit-result`;
    const result = await ask<AuditResultDto>(options.check ? 'POST' : 'GET', options.check ? `${path}/check` : path);
    auditDetail(result).forEach((l) => out.log(l));
    return 0;
  }
  if (options.missing && options.state) {
    throw new CliError('give either --missing or --state, not both');
  }
  if (options.state && !['pending', 'done', 'closed'].includes(options.state)) {
    throw new CliError('--state is pending, done or closed');
  }
  if (options.missing) {
    const rows = await ask<MissingAuditResultDto[]>('GET', '/api/v1/settlement/audit-results/missing');
    rows.forEach((r) => out.log(missingLine(r)));
    out.log(
      rows.length === 0
        ? 'no settlement is past the insurer’s 30 days without an audit result'
        : `${rows.length} settlement(s) past the insurer’s 30 days without an audit result (R18, 办法 16)`,
    );
    return rows.length === 0 ? 0 : 1;
  }
  const query = options.state ? `?state=${encodeURIComponent(options.state)}` : '';
  const rows = await ask<AuditResultSummaryDto[]>('GET', `/api/v1/settlement/audit-results${query}`);
  rows.forEach((r) => out.log(auditLine(r)));
  if (rows.length === 0) {
    out.log('no settlement watched for its audit result yet');
  }
  return 0;
}

const yuan = (fen: number): string => `${(fen / 100).toFixed(2)}`;

export function auditLine(r: AuditResultSummaryDto): string {
  const result = r.version === null ? 'no result' : `v${r.version} deducted ${yuan(r.deductedFen ?? 0)}`;
  const late = r.overdue ? '  OVERDUE' : '';
  return `${r.settlementId}  ${r.setlId}  ${r.visitId}  ${r.state}  due ${r.dueOn}  ${result}${late}${r.lastError ? `  (${r.lastError})` : ''}`;
}

export function missingLine(r: MissingAuditResultDto): string {
  const asked =
    r.checks === 0 ? 'not asked yet' : `asked ${r.checks}×${r.lastCheckedAt ? `, last ${r.lastCheckedAt}` : ''}`;
  return `${r.settlementId}  ${r.setlId}  ${r.visitId}  settled ${r.settledAt}  due ${r.dueOn}  ${r.daysSinceSettlement} days  ${asked}${r.lastError ? `  (${r.lastError})` : ''}`;
}

export function auditDetail(r: AuditResultDto): string[] {
  const head = `${r.settlementId}  setl_id ${r.setlId}  visit ${r.visitId}  ${r.state}  due ${r.dueOn}${r.overdue ? '  OVERDUE' : ''}`;
  if (!r.result) {
    return [head, `  no result yet (asked ${r.checks}×${r.lastError ? `; last problem: ${r.lastError}` : ''})`];
  }
  const v = r.result;
  return [
    head,
    `  version ${v.version} audited ${v.auditedAt}: fund ${yuan(v.fundFen)}, deducted ${yuan(v.deductedFen)}, approved ${yuan(v.approvedFen)}`,
    ...r.deductions.map(
      (d) =>
        `  line ${d.lineId}  ${d.itemName}  −${yuan(d.amountFen)} of ${yuan(d.lineFundFen)}  ${d.reasonCode} ${d.reason}`,
    ),
    ...(r.versions.length > 1
      ? [
          `  earlier: ${r.versions
            .slice(0, -1)
            .map((x) => `v${x.version} deducted ${yuan(x.deductedFen)}`)
            .join(', ')}`,
        ]
      : []),
  ];
}

function listLine(r: SettlementDto): string {
  const outcome = r.setlId ? `setl_id ${r.setlId}` : (r.problem ?? '');
  return `${r.id}  ${r.visitId}  ${r.status}  msgid ${r.msgid}  ${r.createdAt}  ${outcome}`.trimEnd();
}

/** The review request from the options: --requery, or --resolve with what IT confirmed. */
export function reviewBody(o: SettlementsOptions, osUser: string): Record<string, unknown> {
  if ((o.requery === true) === (o.resolve !== undefined)) {
    throw new CliError(`give either --requery or --resolve settled|not-settled\n${USE}`);
  }
  if (o.requery) {
    return { action: 'requery', staff: o.staff ?? osUser };
  }
  if (o.resolve !== 'settled' && o.resolve !== 'not-settled') {
    throw new CliError('--resolve is settled or not-settled');
  }
  if (!o.staff || !o.note) {
    throw new CliError('--resolve needs --staff <name> and --note <how it was confirmed>');
  }
  const body: Record<string, unknown> = { action: 'resolve', outcome: o.resolve, staff: o.staff, note: o.note };
  if (o.evidence) {
    body.evidence = o.evidence;
  }
  if (o.resolve === 'not-settled') {
    return body;
  }
  if (!o['setl-id'] || !o['setl-time']) {
    throw new CliError("--resolve settled needs --setl-id and --setl-time 'yyyy-MM-dd HH:mm:ss' from the insurer");
  }
  return {
    ...body,
    setlId: o['setl-id'],
    setlTime: o['setl-time'],
    fundFen: fen(o['fund-fen'], '--fund-fen'),
    selfPayFen: fen(o['self-pay-fen'], '--self-pay-fen'),
    ...(o.line?.length ? { lines: o.line.map(lineOf) } : {}),
  };
}

function fen(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new CliError(`${name} is a whole number of fen (分)`);
  }
  return Number(value);
}

function lineOf(text: string): { lineId: string; fundFen: number; selfPayFen: number } {
  const m = /^(.+):(\d+):(\d+)$/.exec(text);
  if (!m) {
    throw new CliError(`--line ${text}: expected <lineId>:<fundFen>:<selfPayFen>`);
  }
  return { lineId: m[1], fundFen: Number(m[2]), selfPayFen: Number(m[3]) };
}

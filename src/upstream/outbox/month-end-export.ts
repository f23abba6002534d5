import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFNO, INFNO_NAMES } from '../protocol/transactions';
import type { OutboxMessageRepository } from './outbox-message.repository';

/** Transactions that carry settled costs (or take them back) or the documents behind them. */
const SETTLEMENT_INFNOS: readonly string[] = [
  INFNO.outpatientSettlement,
  INFNO.inpatientSettlement,
  INFNO.outpatientSettlementCancel,
  INFNO.inpatientSettlementCancel,
  INFNO.reversal,
  INFNO.crossProvinceUpload,
  INFNO.monthlyDeclaration,
  INFNO.documentUpload,
];
const UNDELIVERED = ['pending', 'unknown', 'sending', 'rejected'] as const;

export interface MonthEndExport {
  month: string;
  messages: number;
  files: { details: string; summary: string };
}

/**
 * When the link has been down near the end of a month, staff must still submit that month's
 * settlements by month end (device agreement 20). This writes what has not reached the insurer:
 * one JSON line per message (the request as queued), and a summary in Chinese for the desk.
 * Months are taken in Beijing time, as the msgid is.
 */
export async function exportUndelivered(
  messages: OutboxMessageRepository,
  month: string,
  outDir: string,
  now: Date,
): Promise<MonthEndExport> {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) {
    throw new Error(`--month must be YYYY-MM, got ${month}`);
  }
  const from = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) - 8 * 3600_000);
  const to = new Date(Date.UTC(Number(m[1]), Number(m[2]), 1) - 8 * 3600_000);
  const rows = await messages.findCreatedBetween(SETTLEMENT_INFNOS, UNDELIVERED, from, to);

  mkdirSync(outDir, { recursive: true });
  const details = join(outDir, `undelivered-${month}.jsonl`);
  const summary = join(outDir, `summary-${month}.txt`);
  writeFileSync(
    details,
    rows
      .map((r) =>
        JSON.stringify({
          msgid: r.msgid,
          infno: r.infno,
          status: r.status,
          createdAt: r.createdAt.toISOString(),
          attempts: r.attempts,
          lastError: r.lastError,
          request: r.draft ? (JSON.parse(r.draft) as unknown) : null,
        }),
      )
      .map((line) => `${line}\n`)
      .join(''),
    { mode: 0o600 },
  );
  chmodSync(details, 0o600);

  const byInfno = new Map<string, { count: number; amountCents: number; statuses: Map<string, number> }>();
  for (const r of rows) {
    const entry = byInfno.get(r.infno) ?? { count: 0, amountCents: 0, statuses: new Map<string, number>() };
    entry.count += 1;
    entry.statuses.set(r.status, (entry.statuses.get(r.status) ?? 0) + 1);
    const input = r.draft ? (JSON.parse(r.draft) as { input?: { medfee_sumamt?: unknown } }).input : undefined;
    const amount = Number(input?.medfee_sumamt);
    if (Number.isFinite(amount)) {
      entry.amountCents += Math.round(amount * 100);
    }
    byInfno.set(r.infno, entry);
  }
  const lines = [
    `${month} 月未送达医保经办机构的结算类报文汇总`,
    `生成时间：${now.toISOString()}（共 ${rows.length} 条；明细见 ${details}）`,
    '',
    ...[...byInfno.entries()].map(
      ([infno, e]) =>
        `${infno} ${(INFNO_NAMES as Readonly<Record<string, string>>)[infno] ?? ''}：${e.count} 条，医疗费用合计 ${(e.amountCents / 100).toFixed(2)} 元（${[...e.statuses.entries()].map(([s, n]) => `${s} ${n}`).join('，')}）`,
    ),
    '',
    rows.length > 0
      ? '请于月底前按应急预案将以上数据报送经办机构；网络恢复后网关会自动补传，已由经办机构受理的报文不会重复上传。'
      : '本月结算类报文均已送达，无需补报。',
    '',
  ];
  writeFileSync(summary, lines.join('\n'));
  return { month, messages: rows.length, files: { details, summary } };
}

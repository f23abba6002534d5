import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect, sqlChunks } from '../../platform';
import type {
  AuditWatchState,
  InsurerAuditDeduction,
  InsurerAuditResult,
  InsurerAuditWatch,
} from './audit-results.entity';

const WATCH = `w.settlement_id AS "settlementId", w.setl_id AS "setlId", w.mdtrt_id AS "mdtrtId", w.psn_no AS "psnNo", w.settled_at AS "settledAt", w.due_on AS "dueOn", w.state, w.closed_reason AS "closedReason", w.latest_version AS "latestVersion", w.checks, w.last_checked_at AS "lastCheckedAt", w.last_error AS "lastError", w.next_check_at AS "nextCheckAt", w.created_at AS "createdAt"`;
const resultColumns = (x: string): string =>
  `${x}.settlement_id AS "settlementId", ${x}.version, ${x}.setl_id AS "setlId", ${x}.audited_at AS "auditedAt", ${x}.fetched_at AS "fetchedAt", ${x}.msgid, ${x}.fund_fen AS "fundFen", ${x}.deducted_fen AS "deductedFen", ${x}.approved_fen AS "approvedFen", ${x}.deduction_count AS "deductionCount"`;
const DEDUCTION = `settlement_id AS "settlementId", version, seq, line_id AS "lineId", item_code AS "itemCode", item_name AS "itemName", line_amount_fen AS "lineAmountFen", line_fund_fen AS "lineFundFen", amount_fen AS "amountFen", reason_code AS "reasonCode", reason`;

/** A settled settlement not watched yet (settlement_record read as it stands). */
export interface UnwatchedSettlement {
  settlementId: string;
  setlId: string;
  mdtrtId: string;
  psnNo: string;
  settledAt: Date;
}

/** A settlement past its insurer's 30 days without a result, as the settlement-facing list shows it. */
export interface MissingAuditRow {
  settlementId: string;
  setlId: string;
  mdtrtId: string;
  kind: string;
  status: string;
  settledAt: Date;
  /** Null while the gateway has not started watching it (the next job run does). */
  watch: InsurerAuditWatch | null;
}

/** A watched settlement with its settlement's status (settlement_record). */
export interface WatchWithStatus extends InsurerAuditWatch {
  settlementStatus: string;
}

/**
 * The SQL of the audit results. It reads settlement_record (the settlement capability's table) for
 * the settlements to watch and their status — a read-only join, the settlement module is not changed.
 */
@Injectable()
export class AuditResultsRepository {
  /**
   * Settled (or being cancelled) settlements with a setl_id and no watch row yet, oldest first; or
   * just the one `settlementId` if it is such a settlement.
   */
  async unwatched(m: EntityManager, limit: number, settlementId?: string): Promise<UnwatchedSettlement[]> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const only = settlementId === undefined ? '' : ` AND r.id = ${b.bind(settlementId)}`;
    const { rows } = await d.run(
      m,
      `SELECT r.id AS "settlementId", r.setl_id AS "setlId", r.mdtrt_id AS "mdtrtId", r.psn_no AS "psnNo", r.settled_at AS "settledAt"
       FROM settlement_record r LEFT JOIN insurer_audit_watch w ON w.settlement_id = r.id
       WHERE w.settlement_id IS NULL AND r.status IN ('settled', 'cancelling') AND r.setl_id IS NOT NULL AND r.settled_at IS NOT NULL${only}
       ORDER BY r.settled_at, r.id LIMIT ${b.bind(limit)}`,
      b.params,
    );
    return rows.map((r) => ({
      settlementId: String(r.settlementId),
      setlId: String(r.setlId),
      mdtrtId: String(r.mdtrtId),
      psnNo: String(r.psnNo),
      settledAt: d.readTime(r.settledAt),
    }));
  }

  /** Inserts the watch row; false when the settlement is already watched (another instance was first). */
  async insertWatch(m: EntityManager, w: InsurerAuditWatch): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `INSERT INTO insurer_audit_watch (settlement_id, setl_id, mdtrt_id, psn_no, settled_at, due_on, state, closed_reason, latest_version, checks, last_checked_at, last_error, next_check_at, created_at)
       VALUES ${d.values(1, 14)} ${d.upsert(['settlement_id'])}`,
      [
        w.settlementId,
        w.setlId,
        w.mdtrtId,
        w.psnNo,
        d.time(w.settledAt),
        w.dueOn,
        w.state,
        w.closedReason,
        w.latestVersion,
        w.checks,
        w.lastCheckedAt ? d.time(w.lastCheckedAt) : null,
        w.lastError,
        w.nextCheckAt ? d.time(w.nextCheckAt) : null,
        d.time(w.createdAt),
      ],
    );
    return affected > 0;
  }

  /** Watched settlements not closed whose settlement is no longer in force (cancelled). */
  async watchedButCancelled(m: EntityManager, limit: number): Promise<InsurerAuditWatch[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${WATCH} FROM insurer_audit_watch w JOIN settlement_record r ON r.id = w.settlement_id
       WHERE w.state <> 'closed' AND r.status = 'cancelled' ORDER BY w.settlement_id LIMIT ${d.p(1)}`,
      [limit],
    );
    return rows.map((r) => toWatch(d, r));
  }

  /** Watches to ask about now (next_check_at passed), the longest waiting first. */
  async due(m: EntityManager, now: Date, limit: number): Promise<InsurerAuditWatch[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${WATCH} FROM insurer_audit_watch w
       WHERE w.state IN ('pending', 'done') AND w.next_check_at <= ${d.p(1)}
       ORDER BY w.next_check_at, w.settlement_id LIMIT ${d.p(2)}`,
      [d.time(now), limit],
    );
    return rows.map((r) => toWatch(d, r));
  }

  /**
   * Claims a watch for one question: moves next_check_at from what was read to `until` (a lease), so
   * another instance's run does not ask the same thing at the same time. False: someone else has it.
   */
  async claim(m: EntityManager, w: InsurerAuditWatch, until: Date): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `UPDATE insurer_audit_watch SET next_check_at = ${d.p(1)}
       WHERE settlement_id = ${d.p(2)} AND state IN ('pending', 'done') AND next_check_at = ${d.p(3)}`,
      [d.time(until), w.settlementId, w.nextCheckAt ? d.time(w.nextCheckAt) : null],
    );
    return affected > 0;
  }

  /** After a question: the outcome on the watch (state, latest version, problem) and the next question. */
  async afterCheck(
    m: EntityManager,
    settlementId: string,
    change: {
      state: AuditWatchState;
      latestVersion: number | null;
      lastError: string | null;
      nextCheckAt: Date | null;
      closedReason?: string;
    },
    now: Date,
  ): Promise<void> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    await d.run(
      m,
      `UPDATE insurer_audit_watch SET state = ${b.bind(change.state)}, latest_version = ${b.bind(change.latestVersion)},
         last_error = ${b.bind(change.lastError)}, next_check_at = ${b.bind(change.nextCheckAt)},
         closed_reason = ${b.bind(change.closedReason ?? null)}, checks = checks + 1, last_checked_at = ${b.bind(now)}
       WHERE settlement_id = ${b.bind(settlementId)}`,
      b.params,
    );
  }

  /** Stops watching (the settlement was cancelled): no more questions. */
  async close(m: EntityManager, settlementId: string, reason: string): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `UPDATE insurer_audit_watch SET state = 'closed', closed_reason = ${d.p(1)}, next_check_at = NULL
       WHERE settlement_id = ${d.p(2)} AND state <> 'closed'`,
      [reason.slice(0, 200), settlementId],
    );
    return affected > 0;
  }

  /** A version with its deductions, written once: false (nothing written) when it was already recorded. */
  async insertResult(m: EntityManager, r: InsurerAuditResult, deductions: InsurerAuditDeduction[]): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `INSERT INTO insurer_audit_result (settlement_id, version, setl_id, audited_at, fetched_at, msgid, fund_fen, deducted_fen, approved_fen, deduction_count)
       VALUES ${d.values(1, 10)} ${d.upsert(['settlement_id', 'version'])}`,
      [
        r.settlementId,
        r.version,
        r.setlId,
        d.time(r.auditedAt),
        d.time(r.fetchedAt),
        r.msgid,
        r.fundFen,
        r.deductedFen,
        r.approvedFen,
        r.deductionCount,
      ],
    );
    if (affected === 0) {
      return false;
    }
    for (const chunk of sqlChunks(deductions, 200)) {
      await d.run(
        m,
        `INSERT INTO insurer_audit_deduction (settlement_id, version, seq, line_id, item_code, item_name, line_amount_fen, line_fund_fen, amount_fen, reason_code, reason)
         VALUES ${d.values(chunk.length, 11)}`,
        chunk.flatMap((x) => [
          x.settlementId,
          x.version,
          x.seq,
          x.lineId,
          x.itemCode,
          x.itemName,
          x.lineAmountFen,
          x.lineFundFen,
          x.amountFen,
          x.reasonCode,
          x.reason,
        ]),
      );
    }
    return true;
  }

  /** The watch of a settlement with its settlement's status; undefined when not watched. */
  async watch(m: EntityManager, settlementId: string): Promise<WatchWithStatus | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${WATCH}, r.status AS "settlementStatus" FROM insurer_audit_watch w JOIN settlement_record r ON r.id = w.settlement_id
       WHERE w.settlement_id = ${d.p(1)}`,
      [settlementId],
    );
    return rows[0] ? { ...toWatch(d, rows[0]), settlementStatus: String(rows[0].settlementStatus) } : undefined;
  }

  /** The settlement as settlement_record holds it (id, setl_id, status, settled_at); undefined when unknown. */
  async settlement(
    m: EntityManager,
    settlementId: string,
  ): Promise<{ settlementId: string; setlId: string | null; status: string; settledAt: Date | null } | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT id, setl_id AS "setlId", status, settled_at AS "settledAt" FROM settlement_record WHERE id = ${d.p(1)}`,
      [settlementId],
    );
    const r = rows[0];
    if (!r) {
      return undefined;
    }
    return {
      settlementId: String(r.id),
      setlId: typeof r.setlId === 'string' ? r.setlId : null,
      status: String(r.status),
      settledAt: r.settledAt === null || r.settledAt === undefined ? null : d.readTime(r.settledAt),
    };
  }

  /** Every version of a settlement's result, oldest first. */
  async results(m: EntityManager, settlementId: string): Promise<InsurerAuditResult[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${resultColumns('x')} FROM insurer_audit_result x WHERE x.settlement_id = ${d.p(1)} ORDER BY x.version`,
      [settlementId],
    );
    return rows.map((r) => toResult(d, r));
  }

  async deductions(m: EntityManager, settlementId: string, version: number): Promise<InsurerAuditDeduction[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${DEDUCTION} FROM insurer_audit_deduction WHERE settlement_id = ${d.p(1)} AND version = ${d.p(2)} ORDER BY seq`,
      [settlementId, version],
    );
    return rows.map((r) => ({
      settlementId: String(r.settlementId),
      version: Number(r.version),
      seq: Number(r.seq),
      lineId: String(r.lineId),
      itemCode: String(r.itemCode),
      itemName: String(r.itemName),
      lineAmountFen: Number(r.lineAmountFen),
      lineFundFen: Number(r.lineFundFen),
      amountFen: Number(r.amountFen),
      reasonCode: String(r.reasonCode),
      reason: String(r.reason),
    }));
  }

  /**
   * Settlements in force settled before `settledBefore` (so past the insurer's 30 days) with no result
   * recorded — watched or not yet — oldest first (by id: uuidv7, time-ordered), keyset-paged after `after`.
   */
  async missing(
    m: EntityManager,
    settledBefore: Date,
    page: { limit: number; after?: string },
  ): Promise<MissingAuditRow[]> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const where = [
      `r.status IN ('settled', 'cancelling')`,
      `r.setl_id IS NOT NULL`,
      `r.settled_at IS NOT NULL`,
      `r.settled_at < ${b.bind(settledBefore)}`,
      `(w.settlement_id IS NULL OR w.latest_version IS NULL)`,
    ];
    if (page.after) {
      where.push(`r.id > ${b.bind(page.after)}`);
    }
    const { rows } = await d.run(
      m,
      `SELECT r.id AS "rId", r.setl_id AS "rSetlId", r.mdtrt_id AS "rMdtrtId", r.kind AS "rKind", r.status AS "rStatus", r.settled_at AS "rSettledAt", ${WATCH}
       FROM settlement_record r LEFT JOIN insurer_audit_watch w ON w.settlement_id = r.id
       WHERE ${where.join(' AND ')} ORDER BY r.id LIMIT ${b.bind(page.limit)}`,
      b.params,
    );
    return rows.map((r) => ({
      settlementId: String(r.rId),
      setlId: String(r.rSetlId),
      mdtrtId: String(r.rMdtrtId),
      kind: String(r.rKind),
      status: String(r.rStatus),
      settledAt: d.readTime(r.rSettledAt),
      watch: r.settlementId === null || r.settlementId === undefined ? null : toWatch(d, r),
    }));
  }

  /** Watched settlements, newest settlement first, optionally in one state, keyset-paged by settlement id. */
  async list(
    m: EntityManager,
    page: { limit: number; before?: string; state?: AuditWatchState },
  ): Promise<InsurerAuditWatch[]> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const where: string[] = [];
    if (page.before) {
      where.push(`w.settlement_id < ${b.bind(page.before)}`);
    }
    if (page.state) {
      where.push(`w.state = ${b.bind(page.state)}`);
    }
    const { rows } = await d.run(
      m,
      `SELECT ${WATCH} FROM insurer_audit_watch w ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY w.settlement_id DESC LIMIT ${b.bind(page.limit)}`,
      b.params,
    );
    return rows.map((r) => toWatch(d, r));
  }

  /** The latest result of each of `settlementIds` (for lists). */
  async latestResults(m: EntityManager, settlementIds: readonly string[]): Promise<Map<string, InsurerAuditResult>> {
    const out = new Map<string, InsurerAuditResult>();
    const d = SqlDialect.of(m);
    for (const chunk of sqlChunks(settlementIds, 500)) {
      const { rows } = await d.run(
        m,
        `SELECT ${resultColumns('x')}
         FROM insurer_audit_result x JOIN insurer_audit_watch w ON w.settlement_id = x.settlement_id AND w.latest_version = x.version
         WHERE x.settlement_id IN (${d.list(chunk.length)})`,
        chunk,
      );
      for (const r of rows) {
        out.set(String(r.settlementId), toResult(d, r));
      }
    }
    return out;
  }
}

function toResult(d: SqlDialect, r: Record<string, unknown>): InsurerAuditResult {
  return {
    settlementId: String(r.settlementId),
    version: Number(r.version),
    setlId: String(r.setlId),
    auditedAt: d.readTime(r.auditedAt),
    fetchedAt: d.readTime(r.fetchedAt),
    msgid: String(r.msgid),
    fundFen: Number(r.fundFen),
    deductedFen: Number(r.deductedFen),
    approvedFen: Number(r.approvedFen),
    deductionCount: Number(r.deductionCount),
  };
}

function toWatch(d: SqlDialect, r: Record<string, unknown>): InsurerAuditWatch {
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const time = (v: unknown): Date | null => (v === null || v === undefined ? null : d.readTime(v));
  return {
    settlementId: String(r.settlementId),
    setlId: String(r.setlId),
    mdtrtId: String(r.mdtrtId),
    psnNo: String(r.psnNo),
    settledAt: d.readTime(r.settledAt),
    dueOn: String(r.dueOn),
    state: String(r.state) as AuditWatchState,
    closedReason: text(r.closedReason),
    latestVersion: r.latestVersion === null || r.latestVersion === undefined ? null : Number(r.latestVersion),
    checks: Number(r.checks),
    lastCheckedAt: time(r.lastCheckedAt),
    lastError: text(r.lastError),
    nextCheckAt: time(r.nextCheckAt),
    createdAt: d.readTime(r.createdAt),
  };
}

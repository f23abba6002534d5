import { Injectable } from '@nestjs/common';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { SqlDialect } from '../platform';
import type { SettlementRecord, SettlementStatementRow, SettlementStatus, VisitKind } from './settlement.entity';

const COLUMNS = `id, visit_id AS "visitId", mdtrt_id AS "mdtrtId", psn_no AS "psnNo", kind, infno, msgid, idempotency_key AS "idempotencyKey", status, message, pre_audit AS "preAudit", lines, worker_enc AS "workerEnc", setl_id AS "setlId", split, desk_collects_fen AS "deskCollectsFen", problem, settled_at AS "settledAt", cancel_msgid AS "cancelMsgid", cancel_reason AS "cancelReason", cancelled_at AS "cancelledAt", cancel_requested_at AS "cancelRequestedAt", desk, provisional_split AS "provisionalSplit", created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The outcome columns a status change may set. */
export type SettlementChange = Partial<
  Pick<
    SettlementRecord,
    | 'setlId'
    | 'split'
    | 'deskCollectsFen'
    | 'problem'
    | 'settledAt'
    | 'cancelMsgid'
    | 'cancelReason'
    | 'cancelledAt'
    | 'cancelRequestedAt'
  >
>;

const CHANGE_COLUMNS: Readonly<Record<keyof SettlementChange, string>> = {
  setlId: 'setl_id',
  split: 'split',
  deskCollectsFen: 'desk_collects_fen',
  problem: 'problem',
  settledAt: 'settled_at',
  cancelMsgid: 'cancel_msgid',
  cancelReason: 'cancel_reason',
  cancelledAt: 'cancelled_at',
  cancelRequestedAt: 'cancel_requested_at',
};
const TIME_COLUMNS = new Set<keyof SettlementChange>(['settledAt', 'cancelledAt', 'cancelRequestedAt']);

/**
 * settlement_record and settlement_statement: a visit's settlements (what was sent, written once;
 * the outcome set by status changes conditional on the status they leave) and their statements.
 */
@Injectable()
export class SettlementRecordRepository {
  /** Work to run once the transaction of a query runner commits (dropped when it rolls back). */
  private readonly afterCommits = new WeakMap<QueryRunner, Array<() => void>>();
  private readonly watched = new WeakSet<DataSource>();

  /**
   * Runs `work` after `m`'s transaction commits, never when it rolls back: how the outcome hook,
   * which runs inside the dispatcher's transaction, tells waiting requests (and starts rendering the
   * statement) only once the outcome is visible to every reader.
   */
  afterCommit(m: EntityManager, work: () => void): void {
    const runner = m.queryRunner;
    if (!runner || !runner.isTransactionActive) {
      work();
      return;
    }
    this.watch(m.connection);
    const list = this.afterCommits.get(runner) ?? [];
    list.push(work);
    this.afterCommits.set(runner, list);
  }

  private watch(ds: DataSource): void {
    if (this.watched.has(ds)) {
      return;
    }
    this.watched.add(ds);
    const pending = this.afterCommits;
    const subscriber: EntitySubscriberInterface = {
      afterTransactionCommit(event: TransactionCommitEvent): void {
        const list = pending.get(event.queryRunner) ?? [];
        pending.delete(event.queryRunner);
        list.forEach((work) => work());
      },
      afterTransactionRollback(event: TransactionRollbackEvent): void {
        pending.delete(event.queryRunner);
      },
    };
    ds.subscribers.push(subscriber);
  }

  /** Inserts the record; false (nothing written) when its idempotency key is already taken. */
  async insert(m: EntityManager, r: SettlementRecord): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `INSERT INTO settlement_record (id, visit_id, mdtrt_id, psn_no, kind, infno, msgid, idempotency_key, status, message, pre_audit, lines, worker_enc, desk, provisional_split, created_by, created_at, updated_at)
       VALUES ${d.values(1, 18)} ${d.upsert(['idempotency_key'])}`,
      [
        r.id,
        r.visitId,
        r.mdtrtId,
        r.psnNo,
        r.kind,
        r.infno,
        r.msgid,
        r.idempotencyKey,
        r.status,
        r.message,
        r.preAudit,
        r.lines,
        r.workerEnc,
        r.desk,
        r.provisionalSplit,
        r.createdBy,
        d.time(r.createdAt),
        d.time(r.updatedAt),
      ],
    );
    return affected > 0;
  }

  async byId(m: EntityManager, id: string): Promise<SettlementRecord | undefined> {
    return this.one(m, 'id', id);
  }

  async byIdempotencyKey(m: EntityManager, key: string): Promise<SettlementRecord | undefined> {
    return this.one(m, 'idempotency_key', key);
  }

  async byMsgid(m: EntityManager, msgid: string): Promise<SettlementRecord | undefined> {
    return this.one(m, 'msgid', msgid);
  }

  async byCancelMsgid(m: EntityManager, msgid: string): Promise<SettlementRecord | undefined> {
    return this.one(m, 'cancel_msgid', msgid);
  }

  /** A visit's settlements, newest first. */
  async ofVisit(m: EntityManager, visitId: string): Promise<SettlementRecord[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${COLUMNS} FROM settlement_record WHERE visit_id = ${d.p(1)} ORDER BY id DESC`,
      [visitId],
    );
    return rows.map((r) => toRecord(d, r));
  }

  /** Settlements in `status`, newest first (keyset-paged by id): e.g. IT's list of those needing review. */
  async withStatus(
    m: EntityManager,
    status: SettlementStatus,
    page: { limit: number; before?: string },
  ): Promise<SettlementRecord[]> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const where = [`status = ${b.bind(status)}`, ...(page.before ? [`id < ${b.bind(page.before)}`] : [])];
    const { rows } = await d.run(
      m,
      `SELECT ${COLUMNS} FROM settlement_record WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ${b.bind(page.limit)}`,
      b.params,
    );
    return rows.map((r) => toRecord(d, r));
  }

  /**
   * For /health: settlements pending since before `pendingBefore` (outcome unknown), those needing
   * review, and those settled provisionally while the insurer was away (waiting for it).
   */
  async needingAttention(
    m: EntityManager,
    pendingBefore: Date,
  ): Promise<{ unknown: number; needsReview: number; provisional: number }> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT SUM(CASE WHEN status = 'pending' AND created_at < ${d.p(1)} THEN 1 ELSE 0 END) AS "unknown",
              SUM(CASE WHEN status = 'needs-review' THEN 1 ELSE 0 END) AS "needsReview",
              SUM(CASE WHEN status = 'provisional' THEN 1 ELSE 0 END) AS "provisional"
       FROM settlement_record WHERE status IN ('pending', 'needs-review', 'provisional')`,
      [d.time(pendingBefore)],
    );
    const count = (v: unknown): number => Number(v ?? 0);
    return {
      unknown: count(rows[0]?.unknown),
      needsReview: count(rows[0]?.needsReview),
      provisional: count(rows[0]?.provisional),
    };
  }

  /**
   * Moves a settlement from `from` to `to` with the given outcome columns; false (nothing changed)
   * when it is no longer in `from` (another instance or a retried hook got there first).
   */
  async changeStatus(
    m: EntityManager,
    id: string,
    from: SettlementStatus,
    to: SettlementStatus,
    change: SettlementChange,
    now: Date,
  ): Promise<boolean> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const sets = (Object.keys(change) as (keyof SettlementChange)[]).map((k) => {
      const v = change[k] ?? null;
      return `${CHANGE_COLUMNS[k]} = ${b.bind(TIME_COLUMNS.has(k) && v instanceof Date ? d.time(v) : v)}`;
    });
    sets.push(`status = ${b.bind(to)}`, `updated_at = ${b.bind(d.time(now))}`);
    const { affected } = await d.run(
      m,
      `UPDATE settlement_record SET ${sets.join(', ')} WHERE id = ${b.bind(id)} AND status = ${b.bind(from)}`,
      b.params,
    );
    return affected > 0;
  }

  /**
   * Records a cancel asked for while the outcome is unknown: false (nothing changed) when the
   * settlement left `from` meanwhile, or a cancel was already requested.
   */
  async requestCancel(
    m: EntityManager,
    id: string,
    from: SettlementStatus,
    reason: string,
    now: Date,
  ): Promise<boolean> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const { affected } = await d.run(
      m,
      `UPDATE settlement_record SET cancel_requested_at = ${b.bind(d.time(now))}, cancel_reason = ${b.bind(reason)},
       updated_at = ${b.bind(d.time(now))}
       WHERE id = ${b.bind(id)} AND status = ${b.bind(from)} AND cancel_requested_at IS NULL`,
      b.params,
    );
    return affected > 0;
  }

  /** Stores (or replaces) a settlement's statement. */
  async putStatement(m: EntityManager, s: SettlementStatementRow): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(
      m,
      `INSERT INTO settlement_statement (settlement_id, sha256, pdf_base64, created_at) VALUES ${d.values(1, 4)}
       ${d.upsert(['settlement_id'], { sha256: 'excluded.sha256', pdf_base64: 'excluded.pdf_base64', created_at: 'excluded.created_at' })}`,
      [s.settlementId, s.sha256, s.pdfBase64, d.time(s.createdAt)],
    );
  }

  async statement(m: EntityManager, settlementId: string): Promise<SettlementStatementRow | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT settlement_id AS "settlementId", sha256, pdf_base64 AS "pdfBase64", created_at AS "createdAt"
       FROM settlement_statement WHERE settlement_id = ${d.p(1)}`,
      [settlementId],
    );
    const r = rows[0];
    return r
      ? {
          settlementId: String(r.settlementId),
          sha256: String(r.sha256),
          pdfBase64: String(r.pdfBase64),
          createdAt: d.readTime(r.createdAt),
        }
      : undefined;
  }

  /**
   * Settlements the insurer settled (a split and a setl_id, whatever happened later) that have no
   * statement yet, settled since `since`, oldest first: what the statements job renders.
   */
  async withoutStatement(m: EntityManager, since: Date, limit: number): Promise<string[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT r.id AS id FROM settlement_record r
       WHERE r.setl_id IS NOT NULL AND r.split IS NOT NULL AND r.settled_at >= ${d.p(1)}
         AND NOT EXISTS (SELECT 1 FROM settlement_statement s WHERE s.settlement_id = r.id)
       ORDER BY r.id LIMIT ${d.p(2)}`,
      [d.time(since), limit],
    );
    return rows.map((r) => String(r.id));
  }

  /**
   * Settlements of `kind` the insurer settled since `since` and that still stand (status settled),
   * oldest first: for the duties opened on settling, to catch one whose settled listener never ran.
   */
  async settledIdsSince(m: EntityManager, kind: VisitKind, since: Date, limit: number): Promise<string[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT id FROM settlement_record
       WHERE kind = ${d.p(1)} AND status = 'settled' AND setl_id IS NOT NULL AND settled_at >= ${d.p(2)}
       ORDER BY id LIMIT ${d.p(3)}`,
      [kind, d.time(since), limit],
    );
    return rows.map((r) => String(r.id));
  }

  private async one(m: EntityManager, column: string, value: string): Promise<SettlementRecord | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT ${COLUMNS} FROM settlement_record WHERE ${column} = ${d.p(1)}`, [value]);
    return rows[0] ? toRecord(d, rows[0]) : undefined;
  }
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function time(d: SqlDialect, v: unknown): Date | null {
  return v === null || v === undefined ? null : d.readTime(v);
}

function toRecord(d: SqlDialect, r: Record<string, unknown>): SettlementRecord {
  return {
    id: String(r.id),
    visitId: String(r.visitId),
    mdtrtId: String(r.mdtrtId),
    psnNo: String(r.psnNo),
    kind: String(r.kind) as VisitKind,
    infno: String(r.infno),
    msgid: String(r.msgid),
    idempotencyKey: String(r.idempotencyKey),
    status: String(r.status) as SettlementStatus,
    message: String(r.message),
    preAudit: String(r.preAudit),
    lines: String(r.lines),
    workerEnc: String(r.workerEnc),
    setlId: text(r.setlId),
    split: text(r.split),
    deskCollectsFen: r.deskCollectsFen === null || r.deskCollectsFen === undefined ? null : Number(r.deskCollectsFen),
    problem: text(r.problem),
    settledAt: time(d, r.settledAt),
    cancelMsgid: text(r.cancelMsgid),
    cancelReason: text(r.cancelReason),
    cancelledAt: time(d, r.cancelledAt),
    cancelRequestedAt: time(d, r.cancelRequestedAt),
    desk: text(r.desk),
    provisionalSplit: text(r.provisionalSplit),
    createdBy: String(r.createdBy),
    createdAt: d.readTime(r.createdAt),
    updatedAt: d.readTime(r.updatedAt),
  };
}

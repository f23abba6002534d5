import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { beijingDay } from '../calendar/rules/working-days';
import { SqlDialect } from '../platform';
import type {
  Obligation,
  ObligationKind,
  ObligationParty,
  ObligationState,
  ObligationSubject,
} from './obligation.entity';

const COLUMNS = `id, kind, subject_type AS "subjectType", subject_id AS "subjectId", owed_by AS "owedBy", rule, due_on AS "dueOn", due_confirmed AS "dueConfirmed", state, opened_at AS "openedAt", attempts, last_attempt_at AS "lastAttemptAt", last_error AS "lastError", fulfilled_at AS "fulfilledAt", evidence, detail, waived_reason AS "waivedReason", waived_by AS "waivedBy", waived_at AS "waivedAt"`;

/** Not yet fulfilled nor waived: what the gateway (or the insurer) still has to do. */
const PENDING = `fulfilled_at IS NULL AND state <> 'waived'`;

export interface ObligationFilter {
  readonly kind?: ObligationKind;
  readonly state?: ObligationState;
  readonly owedBy?: ObligationParty;
  /** Due on or before this day ('yyyy-MM-dd'). */
  readonly dueBefore?: string;
  /** Only those neither fulfilled nor waived whose due day is before this day (overdue today). */
  readonly overdueOn?: string;
  readonly subjectId?: string;
  readonly limit: number;
  /** Keyset: ids before this one (ids are uuidv7, so newest first). */
  readonly before?: string;
}

/** One count of /metrics: obligations by kind and state, and how many of them are overdue. */
export interface ObligationCount {
  readonly kind: ObligationKind;
  readonly state: ObligationState;
  readonly owedBy: ObligationParty;
  readonly count: number;
  readonly overdue: number;
}

/**
 * The obligation table. Rows are inserted once per (kind, subject); afterwards only their progress
 * changes (attempts, state, fulfilment, waiver) — nothing is deleted.
 */
@Injectable()
export class ObligationRepository {
  /** Inserts it; false (nothing written) when (kind, subject) already has one. */
  async insert(m: EntityManager, o: Obligation): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `INSERT INTO obligation (id, kind, subject_type, subject_id, owed_by, rule, due_on, due_confirmed, state, opened_at, attempts, detail)
       VALUES ${d.values(1, 12)} ${d.upsert(['kind', 'subject_id'])}`,
      [
        o.id,
        o.kind,
        o.subjectType,
        o.subjectId,
        o.owedBy,
        o.rule,
        o.dueOn,
        d.bool(o.dueConfirmed),
        o.state,
        d.time(o.openedAt),
        o.attempts,
        o.detail === null ? null : JSON.stringify(o.detail),
      ],
    );
    return affected > 0;
  }

  async byId(m: EntityManager, id: string): Promise<Obligation | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT ${COLUMNS} FROM obligation WHERE id = ${d.p(1)}`, [id]);
    return rows[0] ? toObligation(d, rows[0]) : undefined;
  }

  async bySubject(m: EntityManager, kind: ObligationKind, subjectId: string): Promise<Obligation | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${COLUMNS} FROM obligation WHERE kind = ${d.p(1)} AND subject_id = ${d.p(2)}`,
      [kind, subjectId],
    );
    return rows[0] ? toObligation(d, rows[0]) : undefined;
  }

  async list(m: EntityManager, f: ObligationFilter): Promise<Obligation[]> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const where: string[] = [];
    if (f.kind) {
      where.push(`kind = ${b.bind(f.kind)}`);
    }
    if (f.state) {
      where.push(`state = ${b.bind(f.state)}`);
    }
    if (f.owedBy) {
      where.push(`owed_by = ${b.bind(f.owedBy)}`);
    }
    if (f.dueBefore) {
      where.push(`due_on <= ${b.bind(f.dueBefore)}`);
    }
    if (f.overdueOn) {
      where.push(`${PENDING} AND due_on < ${b.bind(f.overdueOn)}`);
    }
    if (f.subjectId) {
      where.push(`subject_id = ${b.bind(f.subjectId)}`);
    }
    if (f.before) {
      where.push(`id < ${b.bind(f.before)}`);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await d.run(
      m,
      `SELECT ${COLUMNS} FROM obligation ${filter} ORDER BY id DESC LIMIT ${b.bind(f.limit)}`,
      b.params,
    );
    return rows.map((r) => toObligation(d, r));
  }

  /** Neither fulfilled nor waived, earliest due first (the work list of a kind's job). */
  async pending(m: EntityManager, kind: ObligationKind, limit: number): Promise<Obligation[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${COLUMNS} FROM obligation WHERE kind = ${d.p(1)} AND ${PENDING} ORDER BY due_on, id LIMIT ${d.p(2)}`,
      [kind, limit],
    );
    return rows.map((r) => toObligation(d, r));
  }

  /** attempts + 1, when, and the error (null: the attempt went through). */
  async recordAttempt(
    m: EntityManager,
    kind: ObligationKind,
    subjectId: string,
    error: string | null,
    now: Date,
  ): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `UPDATE obligation SET attempts = attempts + 1, last_attempt_at = ${d.p(1)}, last_error = ${d.p(2)}
       WHERE kind = ${d.p(3)} AND subject_id = ${d.p(4)}`,
      [d.time(now), error === null ? null : error.slice(0, 2000), kind, subjectId],
    );
    return affected > 0;
  }

  /** Sets the detail (what it needs or waits for); only while it is pending. */
  async setDetail(
    m: EntityManager,
    kind: ObligationKind,
    subjectId: string,
    detail: Record<string, unknown>,
  ): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `UPDATE obligation SET detail = ${d.p(1)} WHERE kind = ${d.p(2)} AND subject_id = ${d.p(3)} AND ${PENDING}`,
      [JSON.stringify(detail), kind, subjectId],
    );
    return affected > 0;
  }

  /**
   * Fulfilled: open → done (a late one stays late), with the evidence and when. False when it was
   * already fulfilled or waived (nothing changed: the first evidence stands).
   */
  async fulfil(
    m: EntityManager,
    kind: ObligationKind,
    subjectId: string,
    evidence: Record<string, unknown>,
    now: Date,
  ): Promise<boolean> {
    const d = SqlDialect.of(m);
    const day = beijingDay(now);
    const { affected } = await d.run(
      m,
      `UPDATE obligation SET state = CASE WHEN state = 'late' OR due_on < ${d.p(1)} THEN 'late' ELSE 'done' END,
         fulfilled_at = ${d.p(2)}, evidence = ${d.p(3)}, last_error = NULL
       WHERE kind = ${d.p(4)} AND subject_id = ${d.p(5)} AND ${PENDING}`,
      [day, d.time(now), JSON.stringify(evidence), kind, subjectId],
    );
    return affected > 0;
  }

  /** Waived with a reason and by whom; false when it was already fulfilled or waived. */
  async waive(m: EntityManager, id: string, reason: string, by: string, now: Date): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `UPDATE obligation SET state = 'waived', waived_reason = ${d.p(1)}, waived_by = ${d.p(2)}, waived_at = ${d.p(3)}
       WHERE id = ${d.p(4)} AND ${PENDING}`,
      [reason, by.slice(0, 100), d.time(now), id],
    );
    return affected > 0;
  }

  /** open → late for every one whose due day is before `today` ('yyyy-MM-dd'); the ids changed. */
  async markLate(m: EntityManager, today: string): Promise<Obligation[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${COLUMNS} FROM obligation WHERE state = 'open' AND fulfilled_at IS NULL AND due_on < ${d.p(1)}`,
      [today],
    );
    const late: Obligation[] = [];
    for (const r of rows) {
      const o = toObligation(d, r);
      const { affected } = await d.run(
        m,
        `UPDATE obligation SET state = 'late' WHERE id = ${d.p(1)} AND state = 'open' AND fulfilled_at IS NULL`,
        [o.id],
      );
      if (affected > 0) {
        late.push({ ...o, state: 'late' });
      }
    }
    return late;
  }

  /** Counts by kind, state and party, with the overdue (pending, due before `today`) among them. */
  async counts(m: EntityManager, today: string): Promise<ObligationCount[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT kind, state, owed_by AS "owedBy", COUNT(*) AS "count",
         SUM(CASE WHEN ${PENDING} AND due_on < ${d.p(1)} THEN 1 ELSE 0 END) AS "overdue"
       FROM obligation GROUP BY kind, state, owed_by`,
      [today],
    );
    return rows.map((r) => ({
      kind: String(r.kind) as ObligationKind,
      state: String(r.state) as ObligationState,
      owedBy: String(r.owedBy) as ObligationParty,
      count: Number(r.count),
      overdue: Number(r.overdue ?? 0),
    }));
  }
}

function json(v: unknown): Record<string, unknown> | null {
  if (typeof v !== 'string' || v === '') {
    return null;
  }
  const parsed: unknown = JSON.parse(v);
  return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
}

function toObligation(d: SqlDialect, r: Record<string, unknown>): Obligation {
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const time = (v: unknown): Date | null => (v === null || v === undefined ? null : d.readTime(v));
  return {
    id: String(r.id),
    kind: String(r.kind) as ObligationKind,
    subjectType: String(r.subjectType) as ObligationSubject,
    subjectId: String(r.subjectId),
    owedBy: String(r.owedBy) as ObligationParty,
    rule: String(r.rule),
    dueOn: String(r.dueOn),
    dueConfirmed: d.readBool(r.dueConfirmed),
    state: String(r.state) as ObligationState,
    openedAt: d.readTime(r.openedAt),
    attempts: Number(r.attempts),
    lastAttemptAt: time(r.lastAttemptAt),
    lastError: text(r.lastError),
    fulfilledAt: time(r.fulfilledAt),
    evidence: json(r.evidence),
    detail: json(r.detail),
    waivedReason: text(r.waivedReason),
    waivedBy: text(r.waivedBy),
    waivedAt: time(r.waivedAt),
  };
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect } from '../platform';
import type { CareType, SettlementVisit, VisitKind, VisitState } from './settlement.entity';

const COLUMNS = `id, mdtrt_id AS "mdtrtId", psn_no AS "psnNo", kind, care_type AS "careType", visit_date AS "visitDate", admission_date AS "admissionDate", ward, dept, diagnosis_code AS "diagnosisCode", diagnosis_name AS "diagnosisName", discharge_date AS "dischargeDate", discharge_notice_date AS "dischargeNoticeDate", state, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The fields a PATCH of a visit may change. */
export type VisitUpdate = Partial<
  Pick<SettlementVisit, 'dischargeDate' | 'dischargeNoticeDate' | 'ward' | 'dept' | 'diagnosisCode' | 'diagnosisName'>
>;

const UPDATE_COLUMNS: Readonly<Record<keyof VisitUpdate, string>> = {
  dischargeDate: 'discharge_date',
  dischargeNoticeDate: 'discharge_notice_date',
  ward: 'ward',
  dept: 'dept',
  diagnosisCode: 'diagnosis_code',
  diagnosisName: 'diagnosis_name',
};

/**
 * settlement_visit: the visits HIS opens, keyed by the HIS visit id (`mdtrt_id`). A change to a
 * visit or its lines locks the visit's row first (PostgreSQL `FOR UPDATE`; on SQLite the write
 * transaction holds the file), so changes to one visit take turns and see its settlement lock.
 */
@Injectable()
export class VisitRepository {
  /** Inserts the visit unless its HIS visit id is known; true when this call inserted it. */
  async insertIfAbsent(m: EntityManager, v: SettlementVisit): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `INSERT INTO settlement_visit (id, mdtrt_id, psn_no, kind, care_type, visit_date, admission_date, ward, dept, diagnosis_code, diagnosis_name, discharge_date, discharge_notice_date, state, created_by, created_at, updated_at)
       VALUES ${d.values(1, 17)} ${d.upsert(['mdtrt_id'])}`,
      [
        v.id,
        v.mdtrtId,
        v.psnNo,
        v.kind,
        v.careType,
        v.visitDate,
        v.admissionDate,
        v.ward,
        v.dept,
        v.diagnosisCode,
        v.diagnosisName,
        v.dischargeDate,
        v.dischargeNoticeDate,
        v.state,
        v.createdBy,
        d.time(v.createdAt),
        d.time(v.updatedAt),
      ],
    );
    return affected > 0;
  }

  /** The visit with this HIS visit id, its row locked until the transaction ends. */
  async lock(m: EntityManager, mdtrtId: string): Promise<SettlementVisit | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${COLUMNS} FROM settlement_visit WHERE mdtrt_id = ${d.p(1)}${d.forUpdate}`,
      [mdtrtId],
    );
    return rows[0] ? toVisit(d, rows[0]) : undefined;
  }

  /** The visit with this HIS visit id, unlocked. */
  async byMdtrtId(m: EntityManager, mdtrtId: string): Promise<SettlementVisit | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT ${COLUMNS} FROM settlement_visit WHERE mdtrt_id = ${d.p(1)}`, [mdtrtId]);
    return rows[0] ? toVisit(d, rows[0]) : undefined;
  }

  /** Sets the given fields (a null clears one) and `updated_at`. */
  async update(m: EntityManager, id: string, change: VisitUpdate, now: Date): Promise<void> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const sets = (Object.keys(change) as (keyof VisitUpdate)[]).map(
      (k) => `${UPDATE_COLUMNS[k]} = ${b.bind(change[k] ?? null)}`,
    );
    sets.push(`updated_at = ${b.bind(d.time(now))}`);
    await d.run(m, `UPDATE settlement_visit SET ${sets.join(', ')} WHERE id = ${b.bind(id)}`, b.params);
  }

  /**
   * Moves the visit's settlement lock from `from` to `to`, only if it is still in `from`: the one
   * statement two concurrent settlements (on any number of gateway instances) cannot both win. On
   * PostgreSQL the second waits for the first's transaction and then finds the state changed.
   */
  async changeState(m: EntityManager, id: string, from: VisitState, to: VisitState, now: Date): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `UPDATE settlement_visit SET state = ${d.p(1)}, updated_at = ${d.p(2)} WHERE id = ${d.p(3)} AND state = ${d.p(4)}`,
      [to, d.time(now), id, from],
    );
    return affected > 0;
  }

  /** Newest first; `before`: visits opened before this id (uuidv7 ids sort by time); optionally one person's. */
  async list(
    m: EntityManager,
    page: { limit: number; before?: string; psnNo?: string; state?: VisitState },
  ): Promise<SettlementVisit[]> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const where: string[] = [];
    if (page.before) {
      where.push(`id < ${b.bind(page.before)}`);
    }
    if (page.psnNo) {
      where.push(`psn_no = ${b.bind(page.psnNo)}`);
    }
    if (page.state) {
      where.push(`state = ${b.bind(page.state)}`);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await d.run(
      m,
      `SELECT ${COLUMNS} FROM settlement_visit ${filter} ORDER BY id DESC LIMIT ${b.bind(page.limit)}`,
      b.params,
    );
    return rows.map((r) => toVisit(d, r));
  }
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function toVisit(d: SqlDialect, r: Record<string, unknown>): SettlementVisit {
  return {
    id: String(r.id),
    mdtrtId: String(r.mdtrtId),
    psnNo: String(r.psnNo),
    kind: String(r.kind) as VisitKind,
    careType: (typeof r.careType === 'string' ? r.careType : 'medical') as CareType,
    visitDate: text(r.visitDate),
    admissionDate: text(r.admissionDate),
    ward: text(r.ward),
    dept: text(r.dept),
    diagnosisCode: text(r.diagnosisCode),
    diagnosisName: text(r.diagnosisName),
    dischargeDate: text(r.dischargeDate),
    dischargeNoticeDate: text(r.dischargeNoticeDate),
    state: String(r.state) as VisitState,
    createdBy: String(r.createdBy),
    createdAt: d.readTime(r.createdAt),
    updatedAt: d.readTime(r.updatedAt),
  };
}

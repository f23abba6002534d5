import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { SqlDialect } from '../platform';
import { IdentitySession } from './identity-session.entity';

/** Column → property, in the order `save` writes them. */
const COLUMNS: ReadonlyArray<readonly [string, keyof IdentitySession]> = [
  ['id', 'id'],
  ['desk', 'desk'],
  ['visit_id', 'visitId'],
  ['visit_kind', 'visitKind'],
  ['subject_key', 'subjectKey'],
  ['evidence', 'evidence'],
  ['verdict', 'verdict'],
  ['offline', 'offline'],
  ['coverage', 'coverage'],
  ['result', 'result'],
  ['token', 'token'],
  ['token_expires_at', 'tokenExpiresAt'],
  ['created_by', 'createdBy'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
  ['expires_at', 'expiresAt'],
];
const SELECT = `SELECT ${COLUMNS.map(([c, p]) => (c === p ? c : `${c} AS "${p}"`)).join(', ')} FROM identity_session`;

/** Verification sessions in the database: the only code that reads or writes `identity_session`. */
@Injectable()
export class IdentitySessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  // The hot reads and the save are plain SQL: they run on every device event and HIS call, under the
  // session's lock, and TypeORM's query builders and entity diffing cost more than the statements.

  async findById(id: string, m: EntityManager = this.dataSource.manager): Promise<IdentitySession | null> {
    const d = SqlDialect.of(m);
    return one(d, await d.run(m, `${SELECT} WHERE id = ${d.p(1)}`, [id]));
  }

  /** The desk's newest open session that a device event started and HIS has not adopted yet (no visit). */
  async findWaitingAtDesk(
    desk: string,
    now: Date,
    m: EntityManager = this.dataSource.manager,
  ): Promise<IdentitySession | null> {
    const d = SqlDialect.of(m);
    return one(
      d,
      await d.run(
        m,
        `${SELECT} WHERE desk = ${d.p(1)} AND visit_id IS NULL AND expires_at > ${d.p(2)} ORDER BY created_at DESC LIMIT 1`,
        [desk, d.time(now)],
      ),
    );
  }

  /** The desk's newest session that has not expired. */
  async findLatestAtDesk(
    desk: string,
    now: Date,
    m: EntityManager = this.dataSource.manager,
  ): Promise<IdentitySession | null> {
    const d = SqlDialect.of(m);
    return one(
      d,
      await d.run(m, `${SELECT} WHERE desk = ${d.p(1)} AND expires_at > ${d.p(2)} ORDER BY created_at DESC LIMIT 1`, [
        desk,
        d.time(now),
      ]),
    );
  }

  /** Ids of open sessions decided offline, least recently updated first. */
  async findOfflineIds(now: Date, m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows = await m
      .getRepository(IdentitySession)
      .find({ where: { offline: true, expiresAt: MoreThan(now) }, select: { id: true }, order: { updatedAt: 'ASC' } });
    return rows.map((r) => r.id);
  }

  /**
   * Inserts or updates the session in one statement (`INSERT … ON CONFLICT (id) DO UPDATE`: no read
   * first, unlike TypeORM's `save()`), in the caller's transaction (`Transactions.run`: on SQLite a
   * write transaction must go through the gate). Every column is written as the row holds it.
   */
  async save(row: IdentitySession, m: EntityManager): Promise<void> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const values = COLUMNS.map(([, p]) => {
      const v = row[p];
      return b.bind(
        typeof v === 'boolean' ? d.bool(v) : typeof v === 'string' && p === 'tokenExpiresAt' ? new Date(v) : v,
      );
    });
    const updates = Object.fromEntries(COLUMNS.filter(([c]) => c !== 'id').map(([c]) => [c, `excluded.${c}`]));
    await d.run(
      m,
      `INSERT INTO identity_session (${COLUMNS.map(([c]) => c).join(', ')}) VALUES (${values.join(', ')}) ${d.upsert(['id'], updates)}`,
      b.params,
    );
  }
}

function one(d: SqlDialect, { rows }: { rows: Record<string, unknown>[] }): IdentitySession | null {
  const r = rows[0];
  if (r === undefined) {
    return null;
  }
  const time = (v: unknown): Date => d.readTime(v);
  return Object.assign(new IdentitySession(), {
    id: String(r.id),
    desk: String(r.desk),
    visitId: (r.visitId as string | null) ?? null,
    visitKind: r.visitKind as IdentitySession['visitKind'],
    subjectKey: (r.subjectKey as string | null) ?? null,
    evidence: String(r.evidence),
    verdict: String(r.verdict),
    offline: d.readBool(r.offline),
    coverage: String(r.coverage),
    result: String(r.result),
    token: (r.token as string | null) ?? null,
    tokenExpiresAt: r.tokenExpiresAt === null || r.tokenExpiresAt === undefined ? null : time(r.tokenExpiresAt),
    createdBy: String(r.createdBy),
    createdAt: time(r.createdAt),
    updatedAt: time(r.updatedAt),
    expiresAt: time(r.expiresAt),
  });
}

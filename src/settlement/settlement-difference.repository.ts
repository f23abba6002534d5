import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect } from '../platform';
import type { DifferenceDirection } from './rules/provisional-settlement';
import type { DifferenceCause, DifferenceState, SettlementDifferenceRow } from './settlement-difference.entity';

const COLUMNS = `id, settlement_id AS "settlementId", mdtrt_id AS "mdtrtId", cause, provisional_fen AS "provisionalFen", final_fen AS "finalFen", difference_fen AS "differenceFen", direction, state, desk, created_at AS "createdAt", resolved_by AS "resolvedBy", resolved_at AS "resolvedAt", resolution_note AS "resolutionNote"`;

/**
 * settlement_difference: what to collect from or refund to a worker after a settlement made while
 * the insurer was away. Written once by the outcome hook (at most one per settlement); only its
 * resolution (open → done) changes afterwards.
 */
@Injectable()
export class SettlementDifferenceRepository {
  /** Inserts the difference; false (nothing written) when the settlement already has one. */
  async insert(m: EntityManager, r: SettlementDifferenceRow): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `INSERT INTO settlement_difference (id, settlement_id, mdtrt_id, cause, provisional_fen, final_fen, difference_fen, direction, state, desk, created_at)
       VALUES ${d.values(1, 11)} ${d.upsert(['settlement_id'])}`,
      [
        r.id,
        r.settlementId,
        r.mdtrtId,
        r.cause,
        r.provisionalFen,
        r.finalFen,
        r.differenceFen,
        r.direction,
        r.state,
        r.desk,
        d.time(r.createdAt),
      ],
    );
    return affected > 0;
  }

  async byId(m: EntityManager, id: string): Promise<SettlementDifferenceRow | undefined> {
    return this.one(m, 'id', id);
  }

  async ofSettlement(m: EntityManager, settlementId: string): Promise<SettlementDifferenceRow | undefined> {
    return this.one(m, 'settlement_id', settlementId);
  }

  /** Newest first, keyset-paged by id; optionally only open or only done ones. */
  async list(
    m: EntityManager,
    page: { limit: number; before?: string; state?: DifferenceState },
  ): Promise<SettlementDifferenceRow[]> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const where: string[] = [];
    if (page.before) {
      where.push(`id < ${b.bind(page.before)}`);
    }
    if (page.state) {
      where.push(`state = ${b.bind(page.state)}`);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await d.run(
      m,
      `SELECT ${COLUMNS} FROM settlement_difference ${filter} ORDER BY id DESC LIMIT ${b.bind(page.limit)}`,
      b.params,
    );
    return rows.map((r) => toRow(d, r));
  }

  /** For /health: how many are still open. */
  async openCount(m: EntityManager): Promise<number> {
    const { rows } = await SqlDialect.of(m).run(
      m,
      `SELECT COUNT(*) AS "open" FROM settlement_difference WHERE state = 'open'`,
    );
    return Number(rows[0]?.open ?? 0);
  }

  /** open → done with who, when and the note; false (nothing changed) when it is no longer open. */
  async resolve(m: EntityManager, id: string, by: string, note: string, now: Date): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `UPDATE settlement_difference SET state = 'done', resolved_by = ${d.p(1)}, resolved_at = ${d.p(2)}, resolution_note = ${d.p(3)}
       WHERE id = ${d.p(4)} AND state = 'open'`,
      [by, d.time(now), note, id],
    );
    return affected > 0;
  }

  private async one(m: EntityManager, column: string, value: string): Promise<SettlementDifferenceRow | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT ${COLUMNS} FROM settlement_difference WHERE ${column} = ${d.p(1)}`, [
      value,
    ]);
    return rows[0] ? toRow(d, rows[0]) : undefined;
  }
}

function toRow(d: SqlDialect, r: Record<string, unknown>): SettlementDifferenceRow {
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    id: String(r.id),
    settlementId: String(r.settlementId),
    mdtrtId: String(r.mdtrtId),
    cause: String(r.cause) as DifferenceCause,
    provisionalFen: Number(r.provisionalFen),
    finalFen: Number(r.finalFen),
    differenceFen: Number(r.differenceFen),
    direction: String(r.direction) as DifferenceDirection,
    state: String(r.state) as DifferenceState,
    desk: text(r.desk),
    createdAt: d.readTime(r.createdAt),
    resolvedBy: text(r.resolvedBy),
    resolvedAt: r.resolvedAt === null || r.resolvedAt === undefined ? null : d.readTime(r.resolvedAt),
    resolutionNote: text(r.resolutionNote),
  };
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect } from '../platform';
import type { FeeLineKind, FeeLineState, SettlementFeeLine } from './settlement.entity';

const COLUMNS = `id, visit_id AS "visitId", line_id AS "lineId", his_item_code AS "hisItemCode", item_name AS "itemName", kind, count, unit_price_fen AS "unitPriceFen", amount_fen AS "amountFen", service_date AS "serviceDate", injury_related AS "injuryRelated", days_of_supply AS "daysOfSupply", supply_statement_present AS "supplyStatementPresent", self_pay_consent_form_id AS "selfPayConsentFormId", state, revision, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** What a correction rewrites. */
export type FeeLineRewrite = Omit<SettlementFeeLine, 'id' | 'visitId' | 'lineId' | 'createdAt' | 'updatedAt'>;

/**
 * settlement_fee_line: a visit's fee lines, one row per HIS line id, rewritten in place by a
 * correction (its `revision` counts the changes; the audit log keeps what each change was) and
 * withdrawn by state, never deleted. Callers hold the visit's row lock (VisitRepository.lock).
 */
@Injectable()
export class FeeLineRepository {
  /** The visit's lines, withdrawn ones included, in line id order (numeric ids numerically). */
  async ofVisit(m: EntityManager, visitId: string): Promise<SettlementFeeLine[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT ${COLUMNS} FROM settlement_fee_line WHERE visit_id = ${d.p(1)}`, [visitId]);
    return rows.map((r) => toLine(d, r)).sort(byLineId);
  }

  async insert(m: EntityManager, l: SettlementFeeLine): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(
      m,
      `INSERT INTO settlement_fee_line (id, visit_id, line_id, his_item_code, item_name, kind, count, unit_price_fen, amount_fen, service_date, injury_related, days_of_supply, supply_statement_present, self_pay_consent_form_id, state, revision, created_at, updated_at)
       VALUES ${d.values(1, 18)}`,
      [
        l.id,
        l.visitId,
        l.lineId,
        l.hisItemCode,
        l.itemName,
        l.kind,
        l.count,
        l.unitPriceFen,
        l.amountFen,
        l.serviceDate,
        d.bool(l.injuryRelated),
        l.daysOfSupply,
        d.bool(l.supplyStatementPresent),
        l.selfPayConsentFormId,
        l.state,
        l.revision,
        d.time(l.createdAt),
        d.time(l.updatedAt),
      ],
    );
  }

  /** Rewrites a line's content and state (a correction, a withdrawal, a reinstatement). */
  async rewrite(m: EntityManager, id: string, l: FeeLineRewrite, now: Date): Promise<void> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    await d.run(
      m,
      `UPDATE settlement_fee_line SET his_item_code = ${b.bind(l.hisItemCode)}, item_name = ${b.bind(l.itemName)}, kind = ${b.bind(l.kind)},
         count = ${b.bind(l.count)}, unit_price_fen = ${b.bind(l.unitPriceFen)}, amount_fen = ${b.bind(l.amountFen)},
         service_date = ${b.bind(l.serviceDate)}, injury_related = ${b.bind(d.bool(l.injuryRelated))},
         days_of_supply = ${b.bind(l.daysOfSupply)}, supply_statement_present = ${b.bind(d.bool(l.supplyStatementPresent))},
         self_pay_consent_form_id = ${b.bind(l.selfPayConsentFormId)}, state = ${b.bind(l.state)}, revision = ${b.bind(l.revision)},
         updated_at = ${b.bind(now)}
       WHERE id = ${b.bind(id)}`,
      b.params,
    );
  }
}

/** Numeric line ids in numeric order ('2' before '10'), then the rest as text. */
function byLineId(a: SettlementFeeLine, b: SettlementFeeLine): number {
  const na = /^\d{1,15}$/.test(a.lineId) ? Number(a.lineId) : undefined;
  const nb = /^\d{1,15}$/.test(b.lineId) ? Number(b.lineId) : undefined;
  if (na !== undefined && nb !== undefined) {
    return na - nb;
  }
  if (na !== undefined || nb !== undefined) {
    return na !== undefined ? -1 : 1;
  }
  return a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0;
}

function toLine(d: SqlDialect, r: Record<string, unknown>): SettlementFeeLine {
  return {
    id: String(r.id),
    visitId: String(r.visitId),
    lineId: String(r.lineId),
    hisItemCode: String(r.hisItemCode),
    itemName: String(r.itemName),
    kind: String(r.kind) as FeeLineKind,
    count: String(r.count),
    // bigint: PostgreSQL answers text; integer fen stay far below 2^53.
    unitPriceFen: Number(r.unitPriceFen),
    amountFen: Number(r.amountFen),
    serviceDate: String(r.serviceDate),
    injuryRelated: d.readBool(r.injuryRelated),
    daysOfSupply: r.daysOfSupply === null || r.daysOfSupply === undefined ? null : Number(r.daysOfSupply),
    supplyStatementPresent: d.readBool(r.supplyStatementPresent),
    selfPayConsentFormId: typeof r.selfPayConsentFormId === 'string' ? r.selfPayConsentFormId : null,
    state: String(r.state) as FeeLineState,
    revision: Number(r.revision),
    createdAt: d.readTime(r.createdAt),
    updatedAt: d.readTime(r.updatedAt),
  };
}

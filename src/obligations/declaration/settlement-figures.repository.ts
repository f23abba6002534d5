import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect } from '../../platform';
import type { SettlementStatus, VisitKind } from '../../settlement/settlement.entity';
import { dayOfSetlTime, type LocalSettlement } from './rules/settlement-figures';

const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3_600_000;

/**
 * Reads the settlement capability's `settlement_record` table (read only; nothing here writes it):
 * the gateway's settlements of a period as reconciliation and the declaration count them. The day of
 * a settlement is the insurer's setl_time (in the stored split), else the Beijing day it was requested;
 * the SQL takes a window a day wider on each side (clock skew, late answers) and the day is decided here.
 */
@Injectable()
export class SettlementFiguresRepository {
  /** Settlements whose day ('yyyy-MM-dd', Beijing) lies in [from, to], in request order. */
  async inPeriod(m: EntityManager, from: string, to: string): Promise<LocalSettlement[]> {
    const d = SqlDialect.of(m);
    const start = new Date(Date.parse(`${from}T00:00:00Z`) - BEIJING_MS - DAY_MS);
    const end = new Date(Date.parse(`${to}T00:00:00Z`) - BEIJING_MS + 2 * DAY_MS);
    const { rows } = await d.run(
      m,
      `SELECT id, setl_id AS "setlId", mdtrt_id AS "mdtrtId", psn_no AS "psnNo", kind, status, msgid, split,
              provisional_split AS "provisionalSplit", created_at AS "createdAt"
         FROM settlement_record
        WHERE created_at < ${d.p(1)}
          AND (settled_at >= ${d.p(2)} OR (settled_at IS NULL AND created_at >= ${d.p(3)}))
        ORDER BY created_at, id`,
      [d.time(end), d.time(start), d.time(start)],
    );
    return rows.map((r) => toLocal(d, r)).filter((s) => s.day >= from && s.day <= to);
  }
}

interface StoredSplit {
  setlTime?: string | null;
  totalFen?: number;
  fundFen?: number;
  selfPayFen?: number;
}

function toLocal(d: SqlDialect, r: Record<string, unknown>): LocalSettlement {
  const split = typeof r.split === 'string' ? (JSON.parse(r.split) as StoredSplit) : null;
  const setlTime = split?.setlTime ?? null;
  const createdAt = d.readTime(r.createdAt);
  return {
    settlementId: String(r.id),
    setlId: typeof r.setlId === 'string' ? r.setlId : null,
    mdtrtId: String(r.mdtrtId),
    psnNo: String(r.psnNo),
    kind: String(r.kind) as VisitKind,
    status: String(r.status) as SettlementStatus,
    msgid: String(r.msgid),
    day: (setlTime && dayOfSetlTime(setlTime)) || new Date(createdAt.getTime() + BEIJING_MS).toISOString().slice(0, 10),
    setlTime,
    totalFen: Number(split?.totalFen ?? 0),
    fundFen: Number(split?.fundFen ?? 0),
    selfPayFen: Number(split?.selfPayFen ?? 0),
    provisional: typeof r.provisionalSplit === 'string',
  };
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect } from '../platform';
import type { SelfPaidVisitRow, SettlementReceiptRow } from './conversion.entity';

const COLUMNS = `visit_id AS "visitId", person_key AS "personKey", person_enc AS "personEnc", paid_fen AS "paidFen", recorded_by AS "recordedBy", recorded_at AS "recordedAt", updated_at AS "updatedAt"`;
const RECEIPT_COLUMNS = `id, visit_id AS "visitId", receipt_no AS "receiptNo", amount_fen AS "amountFen", paid_date AS "paidDate", created_at AS "createdAt"`;

/**
 * settlement_self_paid_visit and settlement_receipt (自费转工伤): which visits the worker paid before
 * the determination, whose they are (person key), and their receipts. Callers that change a visit
 * hold its row lock (VisitRepository.lock).
 */
@Injectable()
export class SelfPaidRepository {
  /** Records the visit as self-paid, or rewrites whose it is and what was paid (recorded_by/at stay). */
  async upsert(m: EntityManager, r: SelfPaidVisitRow): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(
      m,
      `INSERT INTO settlement_self_paid_visit (visit_id, person_key, person_enc, paid_fen, recorded_by, recorded_at, updated_at)
       VALUES ${d.values(1, 7)}
       ${d.upsert(['visit_id'], {
         person_key: 'excluded.person_key',
         person_enc: 'excluded.person_enc',
         paid_fen: 'excluded.paid_fen',
         updated_at: 'excluded.updated_at',
       })}`,
      [r.visitId, r.personKey, r.personEnc, r.paidFen, r.recordedBy, d.time(r.recordedAt), d.time(r.updatedAt)],
    );
  }

  async byVisit(m: EntityManager, visitId: string): Promise<SelfPaidVisitRow | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT ${COLUMNS} FROM settlement_self_paid_visit WHERE visit_id = ${d.p(1)}`, [
      visitId,
    ]);
    return rows[0] ? toRow(d, rows[0]) : undefined;
  }

  /** A person's self-paid visits (their HIS visit ids), oldest recorded first; `personKeys`: the person's keys under every lookup key. */
  async visitsOfPerson(m: EntityManager, personKeys: readonly string[]): Promise<string[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT v.mdtrt_id AS "mdtrtId" FROM settlement_self_paid_visit s JOIN settlement_visit v ON v.id = s.visit_id
       WHERE s.person_key IN (${d.list(personKeys.length)}) ORDER BY s.visit_id`,
      [...personKeys],
    );
    return rows.map((r) => String(r.mdtrtId));
  }

  /** The visit's receipts in the order they were recorded. */
  async receipts(m: EntityManager, visitId: string): Promise<SettlementReceiptRow[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${RECEIPT_COLUMNS} FROM settlement_receipt WHERE visit_id = ${d.p(1)} ORDER BY id`,
      [visitId],
    );
    return rows.map((r) => ({
      id: String(r.id),
      visitId: String(r.visitId),
      receiptNo: String(r.receiptNo),
      amountFen: Number(r.amountFen),
      paidDate: String(r.paidDate),
      createdAt: d.readTime(r.createdAt),
    }));
  }

  /** Replaces the visit's receipts with these. */
  async replaceReceipts(m: EntityManager, visitId: string, receipts: readonly SettlementReceiptRow[]): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(m, `DELETE FROM settlement_receipt WHERE visit_id = ${d.p(1)}`, [visitId]);
    for (const r of receipts) {
      await d.run(
        m,
        `INSERT INTO settlement_receipt (id, visit_id, receipt_no, amount_fen, paid_date, created_at) VALUES ${d.values(1, 6)}`,
        [r.id, r.visitId, r.receiptNo, r.amountFen, r.paidDate, d.time(r.createdAt)],
      );
    }
  }

  /**
   * Gives a self-paid visit recorded without a person number the one the insurer's 1101 answer
   * carries (at its conversion); only while the visit is open and still has none. True when set.
   */
  async attachPersonNo(m: EntityManager, visitId: string, psnNo: string, now: Date): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `UPDATE settlement_visit SET psn_no = ${d.p(1)}, updated_at = ${d.p(2)}
       WHERE id = ${d.p(3)} AND psn_no = '' AND state = 'open'`,
      [psnNo, d.time(now), visitId],
    );
    return affected > 0;
  }
}

function toRow(d: SqlDialect, r: Record<string, unknown>): SelfPaidVisitRow {
  return {
    visitId: String(r.visitId),
    personKey: String(r.personKey),
    personEnc: String(r.personEnc),
    paidFen: Number(r.paidFen),
    recordedBy: String(r.recordedBy),
    recordedAt: d.readTime(r.recordedAt),
    updatedAt: d.readTime(r.updatedAt),
  };
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect, uuidv7 } from '../platform';
import type { DispensingLine } from './trace-codes.entity';
import { TRACE_CODE_ERRORS, TRACE_MESSAGES } from './trace-codes.errors';

/** A dispensing line as the capture and return paths read it. */
export type LineRow = Pick<
  DispensingLine,
  'id' | 'visitId' | 'lineNo' | 'medListCode' | 'drugName' | 'quantity' | 'splitPackage' | 'codeCount'
>;

/** What HIS declares for a line. */
export interface LineDeclaration {
  lineNo: string;
  medListCode: string;
  drugName: string;
  quantity: number;
  splitPackage: boolean;
}

/** The columns of a LineRow, as its SELECTs name them. */
export const LINE_COLUMNS = `id, visit_id AS "visitId", line_no AS "lineNo", med_list_code AS "medListCode", drug_name AS "drugName", quantity, split_package AS "splitPackage", code_count AS "codeCount"`;

/**
 * trace_dispensing_line: the lines HIS declares, with the count of codes each holds now. Every method
 * takes the unit of work's EntityManager (`Transactions.run`, or `Transactions.reader` for a read).
 * A line is locked (PostgreSQL `FOR UPDATE`) before a capture or return on it: those take turns.
 */
@Injectable()
export class DispensingLineRepository {
  /** Inserts the line if (visit, line) is new; a concurrent insert of the same line leaves one row. */
  async insertIfAbsent(
    m: EntityManager,
    visitId: string,
    line: LineDeclaration,
    createdBy: string,
    now: Date,
  ): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(
      m,
      `INSERT INTO trace_dispensing_line (id, visit_id, line_no, med_list_code, drug_name, quantity, split_package, code_count, created_by, created_at, updated_at)
       VALUES ${d.values(1, 11)} ${d.upsert(['visit_id', 'line_no'])}`,
      [
        uuidv7(),
        visitId,
        line.lineNo,
        line.medListCode,
        line.drugName,
        line.quantity,
        d.bool(line.splitPackage),
        0,
        createdBy,
        d.time(now),
        d.time(now),
      ],
    );
  }

  /** The line, locked for this transaction on PostgreSQL: captures on one line take turns. */
  async lock(m: EntityManager, visitId: string, lineNo: string): Promise<LineRow | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${LINE_COLUMNS} FROM trace_dispensing_line WHERE visit_id = ${d.p(1)} AND line_no = ${d.p(2)}${d.forUpdate}`,
      [visitId, lineNo],
    );
    return rows[0] ? toLine(d, rows[0]) : undefined;
  }

  /** As `lock`, refusing a line HIS never declared (TRACE_LINE_NOT_FOUND). */
  async lockDeclared(m: EntityManager, visitId: string, lineNo: string): Promise<LineRow> {
    const line = await this.lock(m, visitId, lineNo);
    if (!line) {
      throw TRACE_CODE_ERRORS.raise('TRACE_LINE_NOT_FOUND', { message: TRACE_MESSAGES.lineNotFound(visitId, lineNo) });
    }
    return line;
  }

  async update(m: EntityManager, id: string, line: Omit<LineDeclaration, 'lineNo'>, now: Date): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(
      m,
      `UPDATE trace_dispensing_line SET med_list_code = ${d.p(1)}, drug_name = ${d.p(2)}, quantity = ${d.p(3)}, split_package = ${d.p(4)}, updated_at = ${d.p(5)} WHERE id = ${d.p(6)}`,
      [line.medListCode, line.drugName, line.quantity, d.bool(line.splitPackage), d.time(now), id],
    );
  }

  /** The visit's lines, by line number. */
  async ofVisit(m: EntityManager, visitId: string): Promise<LineRow[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${LINE_COLUMNS} FROM trace_dispensing_line WHERE visit_id = ${d.p(1)} ORDER BY line_no`,
      [visitId],
    );
    return rows.map((r) => toLine(d, r));
  }

  /** The line with this id, unlocked (a desk's active line). */
  async byId(m: EntityManager, id: string): Promise<LineRow | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT ${LINE_COLUMNS} FROM trace_dispensing_line WHERE id = ${d.p(1)}`, [id]);
    return rows[0] ? toLine(d, rows[0]) : undefined;
  }

  async addToCount(m: EntityManager, lineId: string, delta: number, now: Date): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(
      m,
      `UPDATE trace_dispensing_line SET code_count = code_count + ${d.p(1)}, updated_at = ${d.p(2)} WHERE id = ${d.p(3)}`,
      [delta, d.time(now), lineId],
    );
  }
}

/** A row read with LINE_COLUMNS. */
export function toLine(d: SqlDialect, r: Record<string, unknown>): LineRow {
  return {
    id: String(r.id),
    visitId: String(r.visitId),
    lineNo: String(r.lineNo),
    medListCode: String(r.medListCode),
    drugName: String(r.drugName),
    quantity: Number(r.quantity),
    splitPackage: d.readBool(r.splitPackage),
    codeCount: Number(r.codeCount),
  };
}

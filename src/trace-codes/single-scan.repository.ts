import { Injectable } from '@nestjs/common';
import { QueryFailedError, type EntityManager } from 'typeorm';
import { AuditRepository, type AuditEntry, SqlDialect } from '../platform';
import { LINE_COLUMNS, toLine, type LineRow } from './dispensing-line.repository';
import type { DrugCode } from './rules/scan-judgement';

/** What one read tells a single scan: the line as committed now, the product's catalogue codes, whether the box is known. */
export interface ScanLook {
  /** Undefined: HIS never declared the line. */
  line: LineRow | undefined;
  /** Product → catalogue codes, as ProductMappingRepository.catalogueCodesOf answers it (empty: unmapped). */
  mappings: Map<string, Set<string>>;
  /** A trace_code row exists for the box (stocked in, dispensed, returned or scrapped before). */
  known: boolean;
}

/** The new box's use of the line. */
export interface NewUse {
  id: string;
  operationId: string;
  source: string;
}

/**
 * How taking a new box went: `taken` (box, use, line count and audit entry written in one statement),
 * or nothing written because the line changed since it was read (`line-changed`) or the box became
 * known meanwhile (`box-known`).
 */
export type TakeOutcome = 'taken' | 'line-changed' | 'box-known';

/**
 * The single scan of a box the gateway has never seen, in two statements and no explicit transaction
 * (PostgreSQL only; on SQLite every method answers undefined and the caller takes the locked path).
 * A scan through the locked path costs eight round trips (BEGIN, line lock, mappings, box, use, line
 * count, audit entry, COMMIT); this is one read and one write:
 *
 *  1. `look`: the line (unlocked), the product's mappings and whether the box is known, one SELECT;
 *  2. `takeNew`: one statement with data-modifying CTEs, atomic like any single statement:
 *     - the line's count goes up only if the line is still exactly as read (count, quantity, drug, split
 *       flag): an optimistic check that PostgreSQL re-evaluates on the newest row version after waiting
 *       for a concurrent writer's row lock, so two scans that read the same count cannot both pass;
 *     - the box is inserted only with that update (`FROM upd`), with a plain INSERT: if another
 *       transaction inserted the same code (committed, or committing while we wait on its key), the
 *       unique violation aborts the whole statement — nothing of it stays;
 *     - its use and the audit entry are inserted only with the box (`FROM box`).
 *
 * So two scans of one code, on any number of instances: one inserts the box; the other's statement
 * fails whole and the caller decides on the locked path, where the box is known. Exactly one wins.
 */
@Injectable()
export class SingleScanRepository {
  async look(m: EntityManager, visitId: string, lineNo: string, drug: DrugCode): Promise<ScanLook | undefined> {
    const d = SqlDialect.of(m);
    if (!d.arrays) {
      return undefined;
    }
    const { rows } = await d.run(
      m,
      `SELECT ${LINE_COLUMNS},
              (SELECT array_agg(med_list_code) FROM trace_product_map WHERE product_code = $3) AS "fits",
              EXISTS (SELECT 1 FROM trace_code WHERE code = $4) AS "known"
       FROM trace_dispensing_line WHERE visit_id = $1 AND line_no = $2`,
      [visitId, lineNo, drug.productCode, drug.code],
    );
    const row = rows[0];
    if (row === undefined) {
      return { line: undefined, mappings: new Map(), known: false };
    }
    const fits = (row.fits as string[] | null) ?? [];
    return {
      line: toLine(d, row),
      mappings: new Map(fits.length > 0 ? [[drug.productCode, new Set(fits)]] : []),
      known: row.known === true,
    };
  }

  /** See the class: the new box onto `seen` (the line as `look` read it), all or nothing, in one statement. */
  async takeNew(
    m: EntityManager,
    seen: LineRow,
    drug: DrugCode,
    use: NewUse,
    audit: AuditEntry,
    now: Date,
  ): Promise<TakeOutcome | undefined> {
    const d = SqlDialect.of(m);
    if (!d.arrays) {
      return undefined;
    }
    const b = d.binder();
    const at = b.bind(now);
    const lineId = b.bind(seen.id);
    const split = b.bind(seen.splitPackage);
    const state = seen.splitPackage ? 'split-open' : 'dispensed';
    const sql = `WITH upd AS (
        UPDATE trace_dispensing_line SET code_count = code_count + 1, updated_at = ${at}
        WHERE id = ${lineId} AND code_count = ${b.bind(seen.codeCount)} AND quantity = ${b.bind(seen.quantity)}
          AND split_package = ${split} AND med_list_code = ${b.bind(seen.medListCode)} AND drug_name = ${b.bind(seen.drugName)}
        RETURNING id),
      box AS (
        INSERT INTO trace_code (code, form, product_code, batch, expiry, state, updated_at)
        SELECT ${b.bind(drug.code)}, ${b.bind(drug.form)}, ${b.bind(drug.productCode)}, ${b.bind(drug.batch)}, ${b.bind(drug.expiry)}, ${b.bind(state)}, ${at} FROM upd
        RETURNING code),
      use AS (
        INSERT INTO trace_code_use (id, code, line_id, visit_id, split, state, upload, operation_id, source, dispensed_at)
        SELECT ${b.bind(use.id)}, code, ${lineId}, ${b.bind(seen.visitId)}, ${split}, 'dispensed', 'pending', ${b.bind(use.operationId)}, ${b.bind(use.source)}, ${at} FROM box),
      audit AS (${AuditRepository.appendFrom(audit, 'box', b)})
      SELECT count(*)::int AS taken FROM box`;
    try {
      const { rows } = await d.run<{ taken: number }>(m, sql, b.params);
      return rows[0]?.taken === 1 ? 'taken' : 'line-changed';
    } catch (e) {
      if (isUniqueViolationOn(e, 'trace_code')) {
        return 'box-known';
      }
      throw e;
    }
  }
}

function isUniqueViolationOn(e: unknown, table: string): boolean {
  if (!(e instanceof QueryFailedError)) {
    return false;
  }
  const driverError = e.driverError as { code?: string; table?: string } | undefined;
  return driverError?.code === '23505' && driverError.table === table;
}

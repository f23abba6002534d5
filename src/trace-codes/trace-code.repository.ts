import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sqlChunks, SqlDialect } from '../platform';
import type { DrugCode } from './rules/scan-judgement';
import type { CodeState } from './trace-codes.entity';

/**
 * Correctness comes from the database, never from the process: `trace_code.code` is the primary
 * key, new boxes go in with `INSERT … ON CONFLICT DO NOTHING RETURNING code`, and a box already
 * known changes state only through a row lock (PostgreSQL `FOR UPDATE`) and an UPDATE that names
 * the states it may leave, whose affected-row count is checked. Two gateway instances racing on
 * one code therefore serialise on that row: the second waits for the first to commit, then sees
 * the box dispensed. On SQLite the gate (sqlite-gate.ts) already runs one transaction at a time.
 *
 * Set-based statements keep a 100,000-code batch at a handful of round trips (PostgreSQL: arrays
 * through unnest, 20,000 rows a statement; SQLite: multi-row VALUES, 500 rows a statement); callers
 * sort codes first so two overlapping batches take their row locks in the same order (no deadlock).
 */

/** Rows per multi-row VALUES statement or IN list: 500 × 10 columns stays far below SQLite's parameter limit. */
export const CHUNK = 500;
/** Rows per PostgreSQL array statement (unnest, ANY): a few parameters, however many rows. */
export const ARRAY_CHUNK = 20_000;

/** trace_code: one row per box, keyed by its canonical code, with the box's state. */
@Injectable()
export class TraceCodeRepository {
  /**
   * Inserts the boxes not known yet, in `state`; answers the codes that were already known (usually
   * none, so nothing large comes back). `drugs` holds each code once.
   *
   * PostgreSQL: the rows travel as a few arrays (`unnest($1::text[], …)`), 20,000 a statement: one
   * short statement to parse and plan and a handful of parameters to bind, where a multi-row VALUES
   * list costs a parse of thousands of placeholders every 500 rows. SQLite (in-process, no parse cost
   * worth the name per row) keeps multi-row VALUES.
   */
  async insertNew(m: EntityManager, drugs: readonly DrugCode[], state: CodeState, now: Date): Promise<Set<string>> {
    const d = SqlDialect.of(m);
    return d.arrays ? this.insertNewAsArrays(m, d, drugs, state, now) : this.insertNewAsValues(m, d, drugs, state, now);
  }

  /** The state of each known code, locked on PostgreSQL until the transaction ends. */
  async lockStates(m: EntityManager, codes: readonly string[]): Promise<Map<string, CodeState>> {
    const d = SqlDialect.of(m);
    const out = new Map<string, CodeState>();
    for (const chunk of sqlChunks([...codes].sort(), d.arrays ? ARRAY_CHUNK : CHUNK)) {
      const { rows } = d.arrays
        ? await d.run(
            m,
            `SELECT code, state FROM trace_code WHERE code = ANY($1::text[]) ORDER BY code${d.forUpdate}`,
            [chunk],
          )
        : await d.run(
            m,
            `SELECT code, state FROM trace_code WHERE code IN (${d.list(chunk.length)}) ORDER BY code${d.forUpdate}`,
            chunk,
          );
      for (const r of rows) {
        out.set(String(r.code), r.state as CodeState);
      }
    }
    return out;
  }

  /** Moves codes from one of `from` to `to`; answers how many moved (the caller checks it is all of them). */
  async move(
    m: EntityManager,
    codes: readonly string[],
    from: readonly CodeState[],
    to: CodeState,
    now: Date,
  ): Promise<number> {
    const d = SqlDialect.of(m);
    let moved = 0;
    for (const chunk of sqlChunks(codes, d.arrays ? ARRAY_CHUNK : CHUNK)) {
      const { affected } = d.arrays
        ? await d.run(
            m,
            `UPDATE trace_code SET state = $1, updated_at = $2 WHERE code = ANY($3::text[]) AND state = ANY($4::text[])`,
            [to, d.time(now), chunk, [...from]],
          )
        : await d.run(
            m,
            // Placeholders numbered in the order they appear: SQLite's `?` are positional.
            `UPDATE trace_code SET state = ${d.p(1)}, updated_at = ${d.p(2)} WHERE code IN (${d.list(chunk.length, 3)}) AND state IN (${d.list(from.length, 3 + chunk.length)})`,
            [to, d.time(now), ...chunk, ...from],
          );
      moved += affected;
    }
    return moved;
  }

  private async insertNewAsArrays(
    m: EntityManager,
    d: SqlDialect,
    drugs: readonly DrugCode[],
    state: CodeState,
    now: Date,
  ): Promise<Set<string>> {
    const known = new Set<string>();
    for (const chunk of sqlChunks(drugs, ARRAY_CHUNK)) {
      const { rows } = await d.run(
        m,
        `WITH t AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(code, form, product_code, batch, expiry)),
              ins AS (INSERT INTO trace_code (code, form, product_code, batch, expiry, state, updated_at)
                      SELECT code, form, product_code, batch, expiry, $6, $7 FROM t ON CONFLICT (code) DO NOTHING RETURNING code)
         SELECT t.code FROM t LEFT JOIN ins ON ins.code = t.code WHERE ins.code IS NULL`,
        [
          chunk.map((x) => x.code),
          chunk.map((x) => x.form),
          chunk.map((x) => x.productCode),
          chunk.map((x) => x.batch),
          chunk.map((x) => x.expiry),
          state,
          d.time(now),
        ],
      );
      for (const r of rows) {
        known.add(String(r.code));
      }
    }
    return known;
  }

  private async insertNewAsValues(
    m: EntityManager,
    d: SqlDialect,
    drugs: readonly DrugCode[],
    state: CodeState,
    now: Date,
  ): Promise<Set<string>> {
    const known = new Set<string>();
    const at = d.time(now);
    for (const chunk of sqlChunks(drugs, CHUNK)) {
      const params = chunk.flatMap((x) => [x.code, x.form, x.productCode, x.batch, x.expiry, state, at]);
      const { rows } = await d.run(
        m,
        `INSERT INTO trace_code (code, form, product_code, batch, expiry, state, updated_at) VALUES ${d.values(chunk.length, 7)} ${d.upsert(['code'])} RETURNING code`,
        params,
      );
      const inserted = new Set(rows.map((r) => String(r.code)));
      for (const x of chunk) {
        if (!inserted.has(x.code)) {
          known.add(x.code);
        }
      }
    }
    return known;
  }
}

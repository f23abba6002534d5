import type { EntityManager } from 'typeorm';
import type { DrugCode } from './rules/scan-judgement';
import type { CodeState, UploadState } from './trace-codes.entity';

/**
 * The hot SQL of trace-code capture, written once for SQLite and PostgreSQL.
 *
 * Correctness comes from the database, never from the process: `trace_code.code` is the primary
 * key, new boxes go in with `INSERT … ON CONFLICT DO NOTHING RETURNING code`, and a box already
 * known changes state only through a row lock (PostgreSQL `FOR UPDATE`) and an UPDATE that names
 * the states it may leave, whose affected-row count is checked. Two gateway instances racing on
 * one code therefore serialise on that row: the second waits for the first to commit, then sees
 * the box dispensed. On SQLite the gate (sqlite-gate.ts) already runs one transaction at a time.
 *
 * Set-based statements keep a 100,000-code batch at a handful of round trips (PostgreSQL: arrays
 * through unnest, 20,000 rows a statement; SQLite: multi-row VALUES, 500 rows a statement); codes are
 * sorted first so two overlapping batches take their row locks in the same order (no deadlock).
 */

/** Rows per multi-row VALUES statement (SQLite, small lists): 500 × 10 columns stays far below the parameter limit. */
export const CHUNK = 500;
/** Rows per PostgreSQL array statement (unnest): a few parameters, however many rows. */
export const ARRAY_CHUNK = 20_000;

export interface LineRow {
  id: string;
  visitId: string;
  lineNo: string;
  medListCode: string;
  drugName: string;
  quantity: number;
  splitPackage: boolean;
  codeCount: number;
}

export interface ActiveUse {
  useId: string;
  code: string;
  lineId: string;
  visitId: string;
  lineNo: string;
  medListCode: string;
  dispensedAt: Date;
  upload: UploadState;
  uploadRef: string | null;
}

/** The small differences between the two databases, in one place. */
export class Dialect {
  constructor(readonly pg: boolean) {}

  static of(m: EntityManager): Dialect {
    return new Dialect(m.connection.options.type === 'postgres');
  }

  /** TypeORM stores SQLite datetimes as UTC 'YYYY-MM-DD HH:MM:SS.SSS'; raw SQL must write the same. */
  time(d: Date): Date | string {
    return this.pg ? d : d.toISOString().replace('T', ' ').replace('Z', '');
  }

  readTime(v: unknown): Date {
    return v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`);
  }

  bool(b: boolean): boolean | number {
    return this.pg ? b : b ? 1 : 0;
  }

  readBool(v: unknown): boolean {
    return v === true || v === 1 || v === '1';
  }

  /** `(…),(…)` placeholders for `rows` rows of `cols` values. */
  values(rows: number, cols: number): string {
    const out: string[] = [];
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const row: string[] = [];
      for (let c = 0; c < cols; c++) {
        row.push(this.pg ? `$${++n}` : '?');
      }
      out.push(`(${row.join(',')})`);
    }
    return out.join(',');
  }

  /** Placeholders for an IN list, numbered from `from` (1-based). */
  list(count: number, from = 1): string {
    return Array.from({ length: count }, (_, i) => (this.pg ? `$${from + i}` : '?')).join(',');
  }

  p(n: number): string {
    return this.pg ? `$${n}` : '?';
  }

  get forUpdate(): string {
    return this.pg ? ' FOR UPDATE' : '';
  }
}

/** Rows and affected-row count alike on both drivers (TypeORM's structured result). */
async function run(m: EntityManager, sql: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[]; affected: number }> {
  // Outside a transaction: PostgreSQL lends a pooled connection (released after); SQLite has its one gated runner.
  const pooled = m.queryRunner === undefined && m.connection.options.type === 'postgres';
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const result = (await runner.query(sql, params, true)) as { records?: Record<string, unknown>[]; affected?: number };
    const rows = result.records ?? [];
    return { rows, affected: result.affected ?? rows.length };
  } finally {
    if (pooled) {
      await runner.release();
    }
  }
}

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

const LINE_COLUMNS = `id, visit_id AS "visitId", line_no AS "lineNo", med_list_code AS "medListCode", drug_name AS "drugName", quantity, split_package AS "splitPackage", code_count AS "codeCount"`;

function toLine(d: Dialect, r: Record<string, unknown>): LineRow {
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

/** The line, locked for this transaction on PostgreSQL: captures on one line take turns. */
export async function lockLine(m: EntityManager, visitId: string, lineNo: string): Promise<LineRow | undefined> {
  const d = Dialect.of(m);
  const { rows } = await run(m, `SELECT ${LINE_COLUMNS} FROM trace_dispensing_line WHERE visit_id = ${d.p(1)} AND line_no = ${d.p(2)}${d.forUpdate}`, [visitId, lineNo]);
  return rows[0] ? toLine(d, rows[0]) : undefined;
}

export async function visitLines(m: EntityManager, visitId: string): Promise<LineRow[]> {
  const d = Dialect.of(m);
  const { rows } = await run(m, `SELECT ${LINE_COLUMNS} FROM trace_dispensing_line WHERE visit_id = ${d.p(1)} ORDER BY line_no`, [visitId]);
  return rows.map((r) => toLine(d, r));
}

export async function addToLineCount(m: EntityManager, lineId: string, delta: number, now: Date): Promise<void> {
  const d = Dialect.of(m);
  await run(m, `UPDATE trace_dispensing_line SET code_count = code_count + ${d.p(1)}, updated_at = ${d.p(2)} WHERE id = ${d.p(3)}`, [delta, d.time(now), lineId]);
}

/**
 * Inserts the boxes not known yet, in `state`; answers the codes that were already known (usually
 * none, so nothing large comes back). `drugs` holds each code once.
 *
 * PostgreSQL: the rows travel as a few arrays (`unnest($1::text[], …)`), 20,000 a statement: one
 * short statement to parse and plan and a handful of parameters to bind, where a multi-row VALUES
 * list costs a parse of thousands of placeholders every 500 rows. SQLite (in-process, no parse cost
 * worth the name per row) keeps multi-row VALUES.
 */
export async function insertNewCodes(m: EntityManager, drugs: readonly DrugCode[], state: CodeState, now: Date): Promise<Set<string>> {
  const d = Dialect.of(m);
  const at = d.time(now);
  const known = new Set<string>();
  if (d.pg) {
    for (const chunk of chunks(drugs, ARRAY_CHUNK)) {
      const { rows } = await run(
        m,
        `WITH t AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(code, form, product_code, batch, expiry)),
              ins AS (INSERT INTO trace_code (code, form, product_code, batch, expiry, state, updated_at)
                      SELECT code, form, product_code, batch, expiry, $6, $7 FROM t ON CONFLICT (code) DO NOTHING RETURNING code)
         SELECT t.code FROM t LEFT JOIN ins ON ins.code = t.code WHERE ins.code IS NULL`,
        [chunk.map((x) => x.code), chunk.map((x) => x.form), chunk.map((x) => x.productCode), chunk.map((x) => x.batch), chunk.map((x) => x.expiry), state, at],
      );
      for (const r of rows) {
        known.add(String(r.code));
      }
    }
    return known;
  }
  for (const chunk of chunks(drugs)) {
    const params: unknown[] = [];
    for (const x of chunk) {
      params.push(x.code, x.form, x.productCode, x.batch, x.expiry, state, at);
    }
    const { rows } = await run(
      m,
      `INSERT INTO trace_code (code, form, product_code, batch, expiry, state, updated_at) VALUES ${d.values(chunk.length, 7)} ON CONFLICT (code) DO NOTHING RETURNING code`,
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

/** The state of each known code, locked on PostgreSQL until the transaction ends. */
export async function lockCodeStates(m: EntityManager, codes: readonly string[]): Promise<Map<string, CodeState>> {
  const d = Dialect.of(m);
  const out = new Map<string, CodeState>();
  for (const chunk of chunks([...codes].sort(), d.pg ? ARRAY_CHUNK : CHUNK)) {
    const { rows } = d.pg
      ? await run(m, `SELECT code, state FROM trace_code WHERE code = ANY($1::text[]) ORDER BY code FOR UPDATE`, [chunk])
      : await run(m, `SELECT code, state FROM trace_code WHERE code IN (${d.list(chunk.length)}) ORDER BY code`, chunk);
    for (const r of rows) {
      out.set(String(r.code), r.state as CodeState);
    }
  }
  return out;
}

/** Moves codes from one of `from` to `to`; answers how many moved (the caller checks it is all of them). */
export async function moveCodes(m: EntityManager, codes: readonly string[], from: readonly CodeState[], to: CodeState, now: Date): Promise<number> {
  const d = Dialect.of(m);
  let moved = 0;
  if (d.pg) {
    for (const chunk of chunks(codes, ARRAY_CHUNK)) {
      const { affected } = await run(m, `UPDATE trace_code SET state = $1, updated_at = $2 WHERE code = ANY($3::text[]) AND state = ANY($4::text[])`, [to, now, chunk, [...from]]);
      moved += affected;
    }
    return moved;
  }
  for (const chunk of chunks(codes)) {
    // Placeholders numbered in the order they appear: SQLite's `?` are positional.
    const { affected } = await run(
      m,
      `UPDATE trace_code SET state = ${d.p(1)}, updated_at = ${d.p(2)} WHERE code IN (${d.list(chunk.length, 3)}) AND state IN (${d.list(from.length, 3 + chunk.length)})`,
      [to, d.time(now), ...chunk, ...from],
    );
    moved += affected;
  }
  return moved;
}

/**
 * The running dispensings of these codes, with where and when, oldest first: one for a box dispensed
 * whole, one or more for a box opened for split dispensing (split-open).
 */
export async function activeUses(m: EntityManager, codes: readonly string[]): Promise<ActiveUse[]> {
  const d = Dialect.of(m);
  const out: ActiveUse[] = [];
  for (const chunk of chunks(codes)) {
    const { rows } = await run(
      m,
      `SELECT u.id AS "useId", u.code, u.line_id AS "lineId", u.visit_id AS "visitId", l.line_no AS "lineNo", l.med_list_code AS "medListCode", u.dispensed_at AS "dispensedAt", u.upload, u.upload_ref AS "uploadRef"
       FROM trace_code_use u JOIN trace_dispensing_line l ON l.id = u.line_id
       WHERE u.code IN (${d.list(chunk.length)}) AND u.state = 'dispensed' ORDER BY u.dispensed_at, u.id`,
      chunk,
    );
    for (const r of rows) {
      out.push({
        useId: String(r.useId),
        code: String(r.code),
        lineId: String(r.lineId),
        visitId: String(r.visitId),
        lineNo: String(r.lineNo),
        medListCode: String(r.medListCode),
        dispensedAt: d.readTime(r.dispensedAt),
        upload: r.upload as UploadState,
        uploadRef: (r.uploadRef as string | null) ?? null,
      });
    }
  }
  return out;
}

/** The codes a line holds now, in the order they were dispensed. */
export async function lineCodes(m: EntityManager, lineIds: readonly string[]): Promise<Map<string, string[]>> {
  const d = Dialect.of(m);
  const out = new Map<string, string[]>();
  for (const chunk of chunks(lineIds)) {
    const { rows } = await run(
      m,
      `SELECT line_id AS "lineId", code FROM trace_code_use WHERE line_id IN (${d.list(chunk.length)}) AND state = 'dispensed' ORDER BY dispensed_at, id`,
      chunk,
    );
    for (const r of rows) {
      const list = out.get(String(r.lineId)) ?? [];
      list.push(String(r.code));
      out.set(String(r.lineId), list);
    }
  }
  return out;
}

/** One operation's uses of one line: they share line, visit, split flag, operation and source. */
export async function insertUses(m: EntityManager, uses: { ids: readonly string[]; codes: readonly string[]; lineId: string; visitId: string; split: boolean; operationId: string; source: string }, now: Date): Promise<void> {
  const d = Dialect.of(m);
  const at = d.time(now);
  const { lineId, visitId, split, operationId, source } = uses;
  if (d.pg) {
    // The same array shape as insertNewCodes: only the two per-row columns travel as arrays.
    for (let i = 0; i < uses.ids.length; i += ARRAY_CHUNK) {
      await run(
        m,
        `INSERT INTO trace_code_use (id, code, line_id, visit_id, split, state, upload, operation_id, source, dispensed_at)
         SELECT id, code, $3, $4, $5, 'dispensed', 'pending', $6, $7, $8 FROM unnest($1::text[], $2::text[]) AS t(id, code)`,
        [uses.ids.slice(i, i + ARRAY_CHUNK), uses.codes.slice(i, i + ARRAY_CHUNK), lineId, visitId, split, operationId, source, at],
      );
    }
    return;
  }
  for (let i = 0; i < uses.ids.length; i += CHUNK) {
    const params: unknown[] = [];
    const n = Math.min(CHUNK, uses.ids.length - i);
    for (let k = i; k < i + n; k++) {
      params.push(uses.ids[k], uses.codes[k], lineId, visitId, d.bool(split), 'dispensed', 'pending', operationId, source, at);
    }
    await run(
      m,
      `INSERT INTO trace_code_use (id, code, line_id, visit_id, split, state, upload, operation_id, source, dispensed_at) VALUES ${d.values(n, 10)}`,
      params,
    );
  }
}

/** Ends running dispensings (a return): a pending upload is cancelled, an upload already made stays as it was. */
export async function endUses(m: EntityManager, useIds: readonly string[], reason: string, now: Date): Promise<number> {
  const d = Dialect.of(m);
  let ended = 0;
  for (const chunk of chunks(useIds)) {
    const { affected } = await run(
      m,
      `UPDATE trace_code_use SET state = 'returned', ended_at = ${d.p(1)}, end_reason = ${d.p(2)},
         upload = CASE WHEN upload = 'pending' THEN 'cancelled' ELSE upload END
       WHERE id IN (${d.list(chunk.length, 3)}) AND state = 'dispensed'`,
      [d.time(now), reason, ...chunk],
    );
    ended += affected;
  }
  return ended;
}

/** Marks a visit's pending codes as carried by settlement `setlId`. */
export async function markVisitUploaded(m: EntityManager, visitId: string, setlId: string): Promise<number> {
  const d = Dialect.of(m);
  const { affected } = await run(
    m,
    `UPDATE trace_code_use SET upload = 'uploaded', upload_ref = ${d.p(1)} WHERE visit_id = ${d.p(2)} AND state = 'dispensed' AND upload = 'pending'`,
    [setlId, visitId],
  );
  return affected;
}

/** Product → catalogue codes for these product codes (those without a mapping are absent). */
export async function mappingsOf(m: EntityManager, productCodes: readonly string[]): Promise<Map<string, Set<string>>> {
  const d = Dialect.of(m);
  const out = new Map<string, Set<string>>();
  for (const chunk of chunks(productCodes)) {
    const { rows } = await run(m, `SELECT product_code AS "productCode", med_list_code AS "medListCode" FROM trace_product_map WHERE product_code IN (${d.list(chunk.length)})`, chunk);
    for (const r of rows) {
      const set = out.get(String(r.productCode)) ?? new Set<string>();
      set.add(String(r.medListCode));
      out.set(String(r.productCode), set);
    }
  }
  return out;
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect } from '../../platform';
import type { DeclarationRow, DeclarationState, ReconciliationRow } from './declaration.entity';

const DECLARATION_COLUMNS: Readonly<Record<keyof DeclarationRow, string>> = {
  month: 'month',
  state: 'state',
  setlCnt: 'setl_cnt',
  medfeeFen: 'medfee_fen',
  fundFen: 'fund_fen',
  psnFen: 'psn_fen',
  offlineFlag: 'offline_flag',
  unresolved: 'unresolved',
  draftedAt: 'drafted_at',
  draftedBy: 'drafted_by',
  submissions: 'submissions',
  receiptId: 'receipt_id',
  consistent: 'consistent',
  insurerSetlCnt: 'insurer_setl_cnt',
  insurerMedfeeFen: 'insurer_medfee_fen',
  insurerFundFen: 'insurer_fund_fen',
  differences: 'differences',
  lastError: 'last_error',
  updatedAt: 'updated_at',
};
const DECLARATION_TIMES = new Set<string>(['draftedAt', 'updatedAt']);
const DECLARATION_BOOLS = new Set<string>(['offlineFlag', 'consistent']);
const DECLARATION_NUMBERS = new Set<string>([
  'setlCnt',
  'medfeeFen',
  'fundFen',
  'psnFen',
  'insurerSetlCnt',
  'insurerMedfeeFen',
  'insurerFundFen',
]);

const RECONCILIATION_COLUMNS: Readonly<Record<keyof ReconciliationRow, string>> = {
  id: 'id',
  begndate: 'begndate',
  enddate: 'enddate',
  trigger: 'run_trigger',
  requestedBy: 'requested_by',
  state: 'state',
  localCnt: 'local_cnt',
  localMedfeeFen: 'local_medfee_fen',
  localFundFen: 'local_fund_fen',
  localPsnFen: 'local_psn_fen',
  insurerCnt: 'insurer_cnt',
  insurerMedfeeFen: 'insurer_medfee_fen',
  insurerFundFen: 'insurer_fund_fen',
  insurerPsnFen: 'insurer_psn_fen',
  stmtRslt: 'stmt_rslt',
  stmtRsltDscr: 'stmt_rslt_dscr',
  msgid: 'msgid',
  differences: 'differences',
  error: 'error',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};
const RECONCILIATION_TIMES = new Set<string>(['startedAt', 'finishedAt']);
const RECONCILIATION_NUMBERS = new Set<string>([
  'localCnt',
  'localMedfeeFen',
  'localFundFen',
  'localPsnFen',
  'insurerCnt',
  'insurerMedfeeFen',
  'insurerFundFen',
  'insurerPsnFen',
]);

interface Shape {
  columns: Readonly<Record<string, string>>;
  times: ReadonlySet<string>;
  bools: ReadonlySet<string>;
  numbers: ReadonlySet<string>;
}
const DECLARATION: Shape = {
  columns: DECLARATION_COLUMNS,
  times: DECLARATION_TIMES,
  bools: DECLARATION_BOOLS,
  numbers: DECLARATION_NUMBERS,
};
const RECONCILIATION: Shape = {
  columns: RECONCILIATION_COLUMNS,
  times: RECONCILIATION_TIMES,
  bools: new Set(),
  numbers: RECONCILIATION_NUMBERS,
};

/**
 * obligation_declaration (one row per month, changed only by updates conditional on the state it
 * leaves) and obligation_reconciliation (one row per run, written once).
 */
@Injectable()
export class DeclarationRepository {
  /** Inserts a month's first draft; false (nothing written) when the month already has a declaration. */
  async insert(m: EntityManager, row: DeclarationRow): Promise<boolean> {
    const d = SqlDialect.of(m);
    const keys = Object.keys(DECLARATION_COLUMNS) as (keyof DeclarationRow)[];
    const { affected } = await d.run(
      m,
      `INSERT INTO obligation_declaration (${keys.map((k) => DECLARATION_COLUMNS[k]).join(', ')})
       VALUES ${d.values(1, keys.length)} ${d.upsert(['month'])}`,
      keys.map((k) => toSql(d, DECLARATION, k, row[k])),
    );
    return affected > 0;
  }

  async find(m: EntityManager, month: string): Promise<DeclarationRow | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${select(DECLARATION)} FROM obligation_declaration WHERE month = ${d.p(1)}`,
      [month],
    );
    return rows[0] ? fromSql<DeclarationRow>(d, DECLARATION, rows[0]) : undefined;
  }

  /** Newest month first. */
  async list(m: EntityManager, limit: number, state?: DeclarationState): Promise<DeclarationRow[]> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const where = state ? `WHERE state = ${b.bind(state)}` : '';
    const { rows } = await d.run(
      m,
      `SELECT ${select(DECLARATION)} FROM obligation_declaration ${where} ORDER BY month DESC LIMIT ${b.bind(limit)}`,
      b.params,
    );
    return rows.map((r) => fromSql<DeclarationRow>(d, DECLARATION, r));
  }

  /** Applies `change` if the month is still in one of `from`; false (nothing changed) otherwise. */
  async update(
    m: EntityManager,
    month: string,
    from: readonly DeclarationState[],
    change: Partial<Omit<DeclarationRow, 'month'>>,
  ): Promise<boolean> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const values = change as Partial<DeclarationRow>;
    const sets = (Object.keys(values) as (keyof DeclarationRow)[]).map(
      (k) => `${DECLARATION_COLUMNS[k]} = ${b.bind(toSql(d, DECLARATION, k, values[k]))}`,
    );
    const { affected } = await d.run(
      m,
      `UPDATE obligation_declaration SET ${sets.join(', ')}
        WHERE month = ${b.bind(month)} AND state IN (${from.map((s) => b.bind(s)).join(', ')})`,
      b.params,
    );
    return affected > 0;
  }

  async insertRun(m: EntityManager, row: ReconciliationRow): Promise<void> {
    const d = SqlDialect.of(m);
    const keys = Object.keys(RECONCILIATION_COLUMNS) as (keyof ReconciliationRow)[];
    await d.run(
      m,
      `INSERT INTO obligation_reconciliation (${keys.map((k) => RECONCILIATION_COLUMNS[k]).join(', ')})
       VALUES ${d.values(1, keys.length)}`,
      keys.map((k) => toSql(d, RECONCILIATION, k, row[k])),
    );
  }

  async run(m: EntityManager, id: string): Promise<ReconciliationRow | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT ${select(RECONCILIATION)} FROM obligation_reconciliation WHERE id = ${d.p(1)}`,
      [id],
    );
    return rows[0] ? fromSql<ReconciliationRow>(d, RECONCILIATION, rows[0]) : undefined;
  }

  /** Newest first, keyset-paged by id; optionally the runs covering one day. */
  async runs(m: EntityManager, page: { limit: number; before?: string; day?: string }): Promise<ReconciliationRow[]> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const where: string[] = [];
    if (page.before) {
      where.push(`id < ${b.bind(page.before)}`);
    }
    if (page.day) {
      where.push(`begndate <= ${b.bind(page.day)} AND enddate >= ${b.bind(page.day)}`);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await d.run(
      m,
      `SELECT ${select(RECONCILIATION)} FROM obligation_reconciliation ${filter} ORDER BY id DESC LIMIT ${b.bind(page.limit)}`,
      b.params,
    );
    return rows.map((r) => fromSql<ReconciliationRow>(d, RECONCILIATION, r));
  }
}

function select(shape: Shape): string {
  return Object.entries(shape.columns)
    .map(([key, column]) => `${column} AS "${key}"`)
    .join(', ');
}

function toSql(d: SqlDialect, shape: Shape, key: string, value: unknown): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (shape.times.has(key)) {
    return d.time(value as Date);
  }
  if (shape.bools.has(key)) {
    return d.bool(value as boolean);
  }
  return value;
}

function fromSql<T>(d: SqlDialect, shape: Shape, r: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(shape.columns)) {
    const v = r[key];
    if (v === null || v === undefined) {
      out[key] = null;
    } else if (shape.times.has(key)) {
      out[key] = d.readTime(v);
    } else if (shape.bools.has(key)) {
      out[key] = d.readBool(v);
    } else if (shape.numbers.has(key)) {
      out[key] = Number(v);
    } else {
      out[key] = v;
    }
  }
  return out as T;
}

import type { DataSource, EntityManager } from 'typeorm';

/**
 * The one place that knows how SQLite and PostgreSQL differ for the raw SQL the repositories write.
 * Repositories build a statement with `SqlDialect.of(manager)` and run it with `dialect.run(...)`;
 * nothing else in the code base asks which database it is on.
 *
 * What differs, and what this class answers:
 * - placeholders: `$1, $2…` (PostgreSQL) vs `?` (SQLite) — `p(n)`, `list()`, `values()`, or a `bind()`er;
 * - instants: PostgreSQL takes a `Date`; TypeORM stores SQLite datetimes as UTC text
 *   'YYYY-MM-DD HH:MM:SS.SSS', and raw SQL must write and compare that same text — `time()` / `readTime()`;
 * - booleans: `true`/`false` vs `1`/`0` — `bool()`, `readBool()`, `trueLiteral`;
 * - row locks: `FOR UPDATE` and `FOR UPDATE SKIP LOCKED` exist only on PostgreSQL (SQLite has one writer,
 *   and a write transaction already holds the file) — `forUpdate`, `forUpdateSkipLocked`;
 * - upserts: `INSERT … ON CONFLICT (…) DO UPDATE SET x = excluded.x` reads the same on both — `upsert()`;
 * - array statements: PostgreSQL takes a whole column as one array parameter (`unnest($1::text[])`,
 *   `= ANY($1::text[])`), SQLite does not — `arrays` says whether to use them;
 * - results: TypeORM answers `UPDATE … RETURNING` differently per driver — `run()` gives rows and the
 *   affected count alike on both.
 */
export class SqlDialect {
  private constructor(readonly pg: boolean) {}

  private static readonly POSTGRES = new SqlDialect(true);
  private static readonly SQLITE = new SqlDialect(false);

  static of(on: EntityManager | DataSource): SqlDialect {
    const options = 'connection' in on ? on.connection.options : on.options;
    return options.type === 'postgres' ? SqlDialect.POSTGRES : SqlDialect.SQLITE;
  }

  /** Whole-column array parameters (`unnest`, `ANY`) are available: PostgreSQL only. */
  get arrays(): boolean {
    return this.pg;
  }

  /** The n-th placeholder (1-based). SQLite's `?` is positional: bind parameters in the order they appear. */
  p(n: number): string {
    return this.pg ? `$${n}` : '?';
  }

  /** Placeholders for an IN list of `count` values, numbered from `from` (1-based). */
  list(count: number, from = 1): string {
    return Array.from({ length: count }, (_, i) => this.p(from + i)).join(',');
  }

  /** `(…),(…)` placeholders for `rows` rows of `cols` values, numbered from `from` (1-based). */
  values(rows: number, cols: number, from = 1): string {
    const out: string[] = [];
    let n = from - 1;
    for (let r = 0; r < rows; r++) {
      const row: string[] = [];
      for (let c = 0; c < cols; c++) {
        row.push(this.p(++n));
      }
      out.push(`(${row.join(',')})`);
    }
    return out.join(',');
  }

  /**
   * A binder for statements whose parameters are easier to place as they are written: each call adds
   * one parameter and returns its placeholder; `Date`s are converted with `time()`.
   */
  binder(): SqlBinder {
    return new SqlBinder(this);
  }

  /** An instant as the driver must receive it in raw SQL. */
  time(d: Date): Date | string {
    return this.pg ? d : d.toISOString().replace('T', ' ').replace('Z', '');
  }

  /** An instant read back from raw SQL (a Date on PostgreSQL, UTC text on SQLite). */
  readTime(v: unknown): Date {
    return v instanceof Date ? v : new Date(`${String(v).replace(' ', 'T')}Z`);
  }

  bool(b: boolean): boolean | number {
    return this.pg ? b : b ? 1 : 0;
  }

  readBool(v: unknown): boolean {
    return v === true || v === 1 || v === '1';
  }

  /** The literal `true` for SQL text (PostgreSQL has a boolean type; SQLite stores 1). */
  get trueLiteral(): string {
    return this.pg ? 'true' : '1';
  }

  /** ` FOR UPDATE` on PostgreSQL; nothing on SQLite, where the write transaction holds the file. */
  get forUpdate(): string {
    return this.pg ? ' FOR UPDATE' : '';
  }

  /** ` FOR UPDATE SKIP LOCKED`: several instances claim rows side by side without waiting on each other. */
  get forUpdateSkipLocked(): string {
    return this.pg ? ' FOR UPDATE SKIP LOCKED' : '';
  }

  /**
   * `ON CONFLICT (target) DO UPDATE SET …` (or `DO NOTHING` with no assignments). Each assignment is
   * raw SQL and may use `excluded.<column>` for the value that was to be inserted: both databases
   * read it the same way.
   */
  upsert(target: readonly string[], assignments: Readonly<Record<string, string>> = {}): string {
    const sets = Object.entries(assignments).map(([column, expression]) => `${column} = ${expression}`);
    return `ON CONFLICT (${target.join(', ')}) ${sets.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${sets.join(', ')}`}`;
  }

  /**
   * Runs a statement and answers its rows and the affected-row count alike on both drivers. Outside
   * a transaction PostgreSQL lends a pooled connection (released here); SQLite has its one gated runner.
   */
  async run<Row = Record<string, unknown>>(
    m: EntityManager,
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<{ rows: Row[]; affected: number }> {
    const pooled = m.queryRunner === undefined && this.pg;
    const runner = m.queryRunner ?? m.connection.createQueryRunner();
    try {
      const result = (await runner.query(sql, [...params], true)) as { records?: Row[]; affected?: number };
      const rows = result.records ?? [];
      return { rows, affected: result.affected ?? rows.length };
    } finally {
      if (pooled) {
        await runner.release();
      }
    }
  }
}

/**
 * `items` in slices of at most `size`, in order: one statement per slice keeps an IN list or a
 * multi-row VALUES under the driver's parameter limit (SQLite: 32,766) however long the input is.
 */
export function sqlChunks<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`sqlChunks: size must be a positive integer, not ${size}`);
  }
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/** Collects parameters in the order their placeholders are written (see `SqlDialect.binder`). */
export class SqlBinder {
  readonly params: unknown[] = [];

  constructor(private readonly dialect: SqlDialect) {}

  /** Adds a value and returns its placeholder. */
  bind(value: unknown): string {
    this.params.push(value instanceof Date ? this.dialect.time(value) : value);
    return this.dialect.p(this.params.length);
  }
}

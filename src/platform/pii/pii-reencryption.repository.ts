import type { EntityManager } from 'typeorm';
import { SqlDialect } from '../database/sql-dialect';
import type { PiiColumn } from './pii-columns';

/** One column's row of pii_reencryption. */
export interface ReencryptionProgress {
  readonly name: string;
  readonly targetKey: string;
  readonly targetLookup: string;
  readonly lastId: string | null;
  readonly toMove: number;
  readonly moved: number;
  readonly failed: number;
  readonly lastFailure: string | null;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
}

export interface PendingRow {
  readonly id: string;
  readonly ciphertext: string;
  readonly hash: string | null;
}

const PROGRESS_COLUMNS = `name, target_key AS "targetKey", target_lookup AS "targetLookup", last_id AS "lastId",
  to_move AS "toMove", moved, failed, last_failure AS "lastFailure", started_at AS "startedAt",
  updated_at AS "updatedAt", finished_at AS "finishedAt"`;

/** A quoted identifier (`values` is a keyword): both databases take double quotes. */
function q(identifier: string): string {
  return `"${identifier}"`;
}

/** `LIKE 'prefix%'` for a literal prefix (key ids may hold `_`, a LIKE wildcard). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The SQL of the key rotation's re-encryption: the progress table, and the encrypted columns the
 * features declare (table and column names come from code, never from input).
 */
export class PiiReencryptionRepository {
  /** Creates the column's progress row when there is none (a second instance's insert does nothing). */
  async ensure(m: EntityManager, p: Omit<ReencryptionProgress, 'lastFailure' | 'finishedAt'>): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(
      m,
      `INSERT INTO pii_reencryption (name, target_key, target_lookup, last_id, to_move, moved, failed, started_at, updated_at)
       VALUES (${d.list(9)}) ${d.upsert(['name'])}`,
      [
        p.name,
        p.targetKey,
        p.targetLookup,
        p.lastId,
        p.toMove,
        p.moved,
        p.failed,
        d.time(p.startedAt),
        d.time(p.updatedAt),
      ],
    );
  }

  /**
   * The column's progress, its row locked for the caller's transaction (an UPDATE first: PostgreSQL
   * makes a second instance wait for this batch to commit, SQLite takes the write lock), so two
   * runners never walk the same batch at once.
   */
  async lock(m: EntityManager, name: string, now: Date): Promise<ReencryptionProgress | undefined> {
    const d = SqlDialect.of(m);
    await d.run(m, `UPDATE pii_reencryption SET updated_at = ${d.p(1)} WHERE name = ${d.p(2)}`, [d.time(now), name]);
    return this.find(m, name);
  }

  async find(m: EntityManager, name: string): Promise<ReencryptionProgress | undefined> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT ${PROGRESS_COLUMNS} FROM pii_reencryption WHERE name = ${d.p(1)}`, [name]);
    return rows[0] ? progressOf(d, rows[0]) : undefined;
  }

  /** Starts the column again for a new target key (after another rotation) or a new pass. */
  async restart(
    m: EntityManager,
    name: string,
    target: { key: string; lookup: string; toMove: number },
    now: Date,
    keepCounts: boolean,
  ): Promise<void> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    // Placeholders bound in the order they are written (SQLite's are positional).
    const sql = `UPDATE pii_reencryption SET target_key = ${b.bind(target.key)}, target_lookup = ${b.bind(target.lookup)},
         to_move = ${b.bind(target.toMove)}, last_id = NULL, failed = 0, last_failure = NULL, finished_at = NULL${
           keepCounts ? '' : `, moved = 0, started_at = ${b.bind(now)}`
         }
       WHERE name = ${b.bind(name)}`;
    await d.run(m, sql, b.params);
  }

  async advance(
    m: EntityManager,
    name: string,
    step: { lastId: string | null; moved: number; failed: number; lastFailure: string | null; finishedAt: Date | null },
  ): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(
      m,
      `UPDATE pii_reencryption SET last_id = ${d.p(1)}, moved = moved + ${d.p(2)}, failed = failed + ${d.p(3)},
         last_failure = COALESCE(${d.p(4)}, last_failure), finished_at = ${d.p(5)} WHERE name = ${d.p(6)}`,
      [
        step.lastId,
        step.moved,
        step.failed,
        step.lastFailure,
        step.finishedAt === null ? null : d.time(step.finishedAt),
        name,
      ],
    );
  }

  async all(m: EntityManager): Promise<ReencryptionProgress[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT ${PROGRESS_COLUMNS} FROM pii_reencryption ORDER BY name`);
    return rows.map((r) => progressOf(d, r));
  }

  /** Rows of the column with a ciphertext not starting with `activePrefix`. */
  async countNotOn(m: EntityManager, c: PiiColumn, activePrefix: string): Promise<number> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT COUNT(*) AS n FROM ${q(c.table)} WHERE ${q(c.column)} IS NOT NULL AND ${q(c.column)} <> ''
         AND ${q(c.column)} NOT LIKE ${d.p(1)} ESCAPE '\\'`,
      [likePrefix(activePrefix)],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Rows of the column whose ciphertext starts with any of `prefixes` (one key's), and all encrypted rows. */
  async countOn(m: EntityManager, c: PiiColumn, prefixes: readonly string[]): Promise<number> {
    if (prefixes.length === 0) {
      return 0;
    }
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT COUNT(*) AS n FROM ${q(c.table)} WHERE ${prefixes.map((_, i) => `${q(c.column)} LIKE ${d.p(i + 1)} ESCAPE '\\'`).join(' OR ')}`,
      prefixes.map(likePrefix),
    );
    return Number(rows[0]?.n ?? 0);
  }

  async countEncrypted(m: EntityManager, c: PiiColumn): Promise<number> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT COUNT(*) AS n FROM ${q(c.table)} WHERE ${q(c.column)} IS NOT NULL AND ${q(c.column)} <> ''`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Rows of the column with a value that is not a ciphertext (neither `pii1:` nor `pii2:`). */
  async countPlaintext(m: EntityManager, c: PiiColumn): Promise<number> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT COUNT(*) AS n FROM ${q(c.table)} WHERE ${q(c.column)} IS NOT NULL AND ${q(c.column)} <> ''
         AND ${q(c.column)} NOT LIKE 'pii1:%' AND ${q(c.column)} NOT LIKE 'pii2:%'`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The next rows after `afterId` (in id order) not on the active key. */
  async pending(
    m: EntityManager,
    c: PiiColumn,
    activePrefix: string,
    afterId: string | null,
    limit: number,
  ): Promise<PendingRow[]> {
    const d = SqlDialect.of(m);
    const after = afterId === null ? '' : ` AND ${q(c.idColumn)} > ${d.p(2)}`;
    const hash = c.lookup ? q(c.lookup.column) : 'NULL';
    const { rows } = await d.run(
      m,
      `SELECT ${q(c.idColumn)} AS id, ${q(c.column)} AS ciphertext, ${hash} AS hash FROM ${q(c.table)}
       WHERE ${q(c.column)} IS NOT NULL AND ${q(c.column)} <> '' AND ${q(c.column)} NOT LIKE ${d.p(1)} ESCAPE '\\'${after}
       ORDER BY ${q(c.idColumn)} LIMIT ${Math.trunc(limit)}`,
      afterId === null ? [likePrefix(activePrefix)] : [likePrefix(activePrefix), afterId],
    );
    return rows.map((r) => ({
      id: String(r.id),
      ciphertext: String(r.ciphertext),
      hash: textOrNull(r.hash),
    }));
  }

  /**
   * Rewrites one row only if its ciphertext is still the one read (the app may have written it since,
   * always with the active key): 1 when rewritten, 0 when it changed or went meanwhile.
   */
  async rewrite(
    m: EntityManager,
    c: PiiColumn,
    row: PendingRow,
    ciphertext: string,
    hash: string | null,
  ): Promise<number> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const sets = [`${q(c.column)} = ${b.bind(ciphertext)}`];
    if (c.lookup && hash !== null) {
      sets.push(`${q(c.lookup.column)} = ${b.bind(hash)}`);
    }
    const sql = `UPDATE ${q(c.table)} SET ${sets.join(', ')}
       WHERE ${q(c.idColumn)} = ${b.bind(row.id)} AND ${q(c.column)} = ${b.bind(row.ciphertext)}`;
    const { affected } = await d.run(m, sql, b.params);
    return affected;
  }

  /** Deletes one row if unchanged (a cache row whose person already has a row under the active lookup key). */
  async dropIfUnchanged(m: EntityManager, c: PiiColumn, row: PendingRow): Promise<number> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `DELETE FROM ${q(c.table)} WHERE ${q(c.idColumn)} = ${d.p(1)} AND ${q(c.column)} = ${d.p(2)}`,
      [row.id, row.ciphertext],
    );
    return affected;
  }

  async exists(m: EntityManager, c: PiiColumn, id: string): Promise<boolean> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(m, `SELECT 1 AS one FROM ${q(c.table)} WHERE ${q(c.idColumn)} = ${d.p(1)}`, [id]);
    return rows.length > 0;
  }
}

function progressOf(d: SqlDialect, r: Record<string, unknown>): ReencryptionProgress {
  return {
    name: String(r.name),
    targetKey: String(r.targetKey),
    targetLookup: String(r.targetLookup),
    lastId: textOrNull(r.lastId),
    toMove: Number(r.toMove),
    moved: Number(r.moved),
    failed: Number(r.failed),
    lastFailure: textOrNull(r.lastFailure),
    startedAt: d.readTime(r.startedAt),
    updatedAt: d.readTime(r.updatedAt),
    finishedAt: r.finishedAt === null || r.finishedAt === undefined ? null : d.readTime(r.finishedAt),
  };
}

function textOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : null;
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SqlDialect } from '../database/sql-dialect';
import { uuidv7 } from '../ids';
import { GENESIS_HASH, type AuditContent } from './audit-chain';

/** An entry not sealed yet, as stored. */
export interface UnsealedEntry extends AuditContent {
  contentHash: string | null;
}

/** A sealed entry, as stored (what verify and export read). */
export interface ChainEntry extends UnsealedEntry {
  seq: number;
  prevHash: string | null;
  chainHash: string | null;
}

/** The chain columns the sealer writes on one entry. */
export interface SealLink {
  id: string;
  seq: number;
  prevHash: string;
  chainHash: string;
  contentHash: string;
}

/** A point of the chain: its seq and chain hash (seq 0 and the genesis hash before the first entry). */
export interface ChainPoint {
  seq: number;
  chainHash: string;
}

/** `periodic`: the head, written every audit.checkpointMinutes; `prune`: the last entry retention removed. */
export type CheckpointKind = 'periodic' | 'prune';

export interface Checkpoint extends ChainPoint {
  id: string;
  at: Date;
  kind: CheckpointKind;
}

const CONTENT_COLUMNS =
  'id, at, actor_type, actor_id, action, subject_hash, outcome, correlation_id, details, content_hash';

/** The chain columns of `audit_log` and the `audit_checkpoint` table: the SQL of the tamper-evident trail. */
@Injectable()
export class AuditChainRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get reader(): EntityManager {
    return this.dataSource.manager;
  }

  /** The last sealed entry; else the last pruned one (its anchor); else seq 0 and the genesis hash. */
  async head(m: EntityManager = this.reader): Promise<ChainPoint> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run<{ seq: unknown; chain_hash: string }>(
      m,
      'SELECT seq, chain_hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
    );
    if (rows.length > 0) {
      return { seq: Number(rows[0].seq), chainHash: rows[0].chain_hash };
    }
    return (await this.latestCheckpoint('prune', m)) ?? { seq: 0, chainHash: GENESIS_HASH };
  }

  /** Up to `limit` entries not sealed yet, committed (as far as this transaction sees), in id order. */
  async unsealed(m: EntityManager, limit: number): Promise<UnsealedEntry[]> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run<Record<string, unknown>>(
      m,
      `SELECT ${CONTENT_COLUMNS} FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT ${d.p(1)}`,
      [limit],
    );
    return rows.map((r) => contentOf(d, r));
  }

  /**
   * Writes the chain columns of `links` in one statement. Only entries still unsealed are touched;
   * fewer rows than links means another sealer got there first, and the transaction must roll back.
   */
  async seal(m: EntityManager, links: readonly SealLink[]): Promise<void> {
    if (links.length === 0) {
      return;
    }
    const d = SqlDialect.of(m);
    let affected: number;
    if (d.arrays) {
      ({ affected } = await d.run(
        m,
        `UPDATE audit_log AS a
            SET seq = v.seq, prev_hash = v.prev_hash, chain_hash = v.chain_hash, content_hash = v.content_hash
           FROM unnest($1::varchar[], $2::bigint[], $3::varchar[], $4::varchar[], $5::varchar[])
                AS v(id, seq, prev_hash, chain_hash, content_hash)
          WHERE a.id = v.id AND a.seq IS NULL`,
        [
          links.map((l) => l.id),
          links.map((l) => l.seq),
          links.map((l) => l.prevHash),
          links.map((l) => l.chainHash),
          links.map((l) => l.contentHash),
        ],
      ));
    } else {
      ({ affected } = await d.run(
        m,
        `UPDATE audit_log
            SET seq = v.column2, prev_hash = v.column3, chain_hash = v.column4, content_hash = v.column5
           FROM (VALUES ${d.values(links.length, 5)}) AS v
          WHERE audit_log.id = v.column1 AND audit_log.seq IS NULL`,
        links.flatMap((l) => [l.id, l.seq, l.prevHash, l.chainHash, l.contentHash]),
      ));
    }
    if (affected !== links.length) {
      throw new Error(
        `audit sealing: ${links.length - affected} of ${links.length} entries were sealed meanwhile by another sealer; this batch rolls back`,
      );
    }
  }

  async insertCheckpoint(m: EntityManager, kind: CheckpointKind, point: ChainPoint, at: Date): Promise<Checkpoint> {
    const d = SqlDialect.of(m);
    const b = d.binder();
    const id = uuidv7();
    await d.run(
      m,
      `INSERT INTO audit_checkpoint (id, at, kind, seq, chain_hash) VALUES (${b.bind(id)}, ${b.bind(at)}, ${b.bind(kind)}, ${b.bind(point.seq)}, ${b.bind(point.chainHash)})`,
      b.params,
    );
    return { id, at, kind, ...point };
  }

  async latestCheckpoint(kind: CheckpointKind, m: EntityManager = this.reader): Promise<Checkpoint | null> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run<Record<string, unknown>>(
      m,
      `SELECT id, at, kind, seq, chain_hash FROM audit_checkpoint WHERE kind = ${d.p(1)} ORDER BY seq DESC, id DESC LIMIT 1`,
      [kind],
    );
    return rows.length === 0 ? null : checkpointOf(d, rows[0]);
  }

  /** Checkpoints with `from < seq <= to`, by seq. */
  async checkpoints(fromSeq: number, toSeq: number): Promise<Checkpoint[]> {
    const d = SqlDialect.of(this.reader);
    const { rows } = await d.run<Record<string, unknown>>(
      this.reader,
      `SELECT id, at, kind, seq, chain_hash FROM audit_checkpoint WHERE seq > ${d.p(1)} AND seq <= ${d.p(2)} ORDER BY seq, id`,
      [fromSeq, toSeq],
    );
    return rows.map((r) => checkpointOf(d, r));
  }

  /** Sealed entries with `after < seq <= upTo`, by seq, at most `limit`. */
  async page(afterSeq: number, upTo: number, limit: number): Promise<ChainEntry[]> {
    const d = SqlDialect.of(this.reader);
    const { rows } = await d.run<Record<string, unknown>>(
      this.reader,
      `SELECT ${CONTENT_COLUMNS}, seq, prev_hash, chain_hash FROM audit_log
        WHERE seq > ${d.p(1)} AND seq <= ${d.p(2)} ORDER BY seq LIMIT ${d.p(3)}`,
      [afterSeq, upTo, limit],
    );
    return rows.map((r) => ({
      ...contentOf(d, r),
      seq: Number(r.seq),
      prevHash: (r.prev_hash as string | null) ?? null,
      chainHash: (r.chain_hash as string | null) ?? null,
    }));
  }

  /** The entry at `seq`, if any. */
  async at(seq: number): Promise<ChainEntry | null> {
    return (await this.page(seq - 1, seq, 1))[0] ?? null;
  }

  /** How many entries wait to be sealed, and the oldest of them. */
  async unsealedSummary(): Promise<{ count: number; oldest: { id: string; at: Date; action: string } | null }> {
    const d = SqlDialect.of(this.reader);
    const count = await d.run<{ n: unknown }>(this.reader, 'SELECT COUNT(*) AS n FROM audit_log WHERE seq IS NULL');
    const { rows } = await d.run<Record<string, unknown>>(
      this.reader,
      'SELECT id, at, action FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT 1',
    );
    return {
      count: Number(count.rows[0].n),
      oldest:
        rows.length === 0
          ? null
          : { id: String(rows[0].id), at: d.readTime(rows[0].at), action: String(rows[0].action) },
    };
  }

  /** The smallest seq of a sealed entry at or after `at` (null when none). */
  async firstSeqFrom(at: Date): Promise<number | null> {
    const d = SqlDialect.of(this.reader);
    const { rows } = await d.run<{ s: unknown }>(
      this.reader,
      `SELECT MIN(seq) AS s FROM audit_log WHERE seq IS NOT NULL AND at >= ${d.p(1)}`,
      [d.time(at)],
    );
    return rows[0]?.s === null || rows[0]?.s === undefined ? null : Number(rows[0].s);
  }

  /** The largest seq of a sealed entry before `at` (null when none). */
  async lastSeqBefore(at: Date): Promise<number | null> {
    const d = SqlDialect.of(this.reader);
    const { rows } = await d.run<{ s: unknown }>(
      this.reader,
      `SELECT MAX(seq) AS s FROM audit_log WHERE seq IS NOT NULL AND at < ${d.p(1)}`,
      [d.time(at)],
    );
    return rows[0]?.s === null || rows[0]?.s === undefined ? null : Number(rows[0].s);
  }

  /** The smallest seq still in the table (null when no sealed entry is left). */
  async firstSeq(): Promise<number | null> {
    const d = SqlDialect.of(this.reader);
    const { rows } = await d.run<{ s: unknown }>(
      this.reader,
      'SELECT MIN(seq) AS s FROM audit_log WHERE seq IS NOT NULL',
    );
    return rows[0]?.s === null || rows[0]?.s === undefined ? null : Number(rows[0].s);
  }

  /** Deletes the sealed entries with `after < seq <= upTo` (the database refuses any younger than 6 months). */
  async deleteSealed(m: EntityManager, afterSeq: number, upTo: number): Promise<number> {
    const d = SqlDialect.of(m);
    const { affected } = await d.run(m, `DELETE FROM audit_log WHERE seq > ${d.p(1)} AND seq <= ${d.p(2)}`, [
      afterSeq,
      upTo,
    ]);
    return affected;
  }
}

function contentOf(d: SqlDialect, r: Record<string, unknown>): UnsealedEntry {
  return {
    id: String(r.id),
    at: d.readTime(r.at),
    actorType: String(r.actor_type),
    actorId: String(r.actor_id),
    action: String(r.action),
    subjectHash: (r.subject_hash as string | null) ?? null,
    outcome: String(r.outcome),
    correlationId: (r.correlation_id as string | null) ?? null,
    detailsText: (r.details as string | null) ?? null,
    contentHash: (r.content_hash as string | null) ?? null,
  };
}

function checkpointOf(d: SqlDialect, r: Record<string, unknown>): Checkpoint {
  return {
    id: String(r.id),
    at: d.readTime(r.at),
    kind: r.kind as CheckpointKind,
    seq: Number(r.seq),
    chainHash: String(r.chain_hash),
  };
}

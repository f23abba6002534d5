import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect } from '../platform';
import { CatalogueVersion } from './settlement.entity';

const CURRENT_SLOT = 'current';

/**
 * settlement_catalogue_version (one row per import, never changed) and the one row of
 * settlement_catalogue_current that names the version lookups use.
 *
 * An import locks the pointer row first (`lockCurrent`, PostgreSQL `FOR UPDATE`; on SQLite the write
 * transaction holds the file): two imports take turns, so each compares against, and numbers itself
 * after, the version really current when it commits.
 */
@Injectable()
export class CatalogueVersionRepository {
  /** The current version, the pointer row locked until the transaction ends; null before the first import. */
  async lockCurrent(m: EntityManager): Promise<CatalogueVersion | null> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT version_id AS "versionId" FROM settlement_catalogue_current WHERE slot = ${d.p(1)}${d.forUpdate}`,
      [CURRENT_SLOT],
    );
    const versionId = rows[0]?.versionId;
    return typeof versionId === 'string' ? this.byId(m, versionId) : null;
  }

  /** The current version, unlocked; null before the first import. */
  async current(m: EntityManager): Promise<CatalogueVersion | null> {
    const d = SqlDialect.of(m);
    const { rows } = await d.run(
      m,
      `SELECT v.id FROM settlement_catalogue_current c JOIN settlement_catalogue_version v ON v.id = c.version_id WHERE c.slot = ${d.p(1)}`,
      [CURRENT_SLOT],
    );
    return rows[0] ? this.byId(m, String(rows[0].id)) : null;
  }

  async byId(m: EntityManager, id: string): Promise<CatalogueVersion | null> {
    return m.getRepository(CatalogueVersion).findOneBy({ id });
  }

  /** The number the next version gets: one more than the highest so far. */
  async nextSeq(m: EntityManager): Promise<number> {
    const { rows } = await SqlDialect.of(m).run(m, `SELECT MAX(seq) AS "maxSeq" FROM settlement_catalogue_version`);
    return Number(rows[0]?.maxSeq ?? 0) + 1;
  }

  async insert(m: EntityManager, version: CatalogueVersion): Promise<void> {
    await m.getRepository(CatalogueVersion).insert(version);
  }

  /** Makes `versionId` the version lookups use. */
  async setCurrent(m: EntityManager, versionId: string, at: Date, by: string): Promise<void> {
    const d = SqlDialect.of(m);
    await d.run(
      m,
      `UPDATE settlement_catalogue_current SET version_id = ${d.p(1)}, set_at = ${d.p(2)}, set_by = ${d.p(3)} WHERE slot = ${d.p(4)}`,
      [versionId, d.time(at), by, CURRENT_SLOT],
    );
  }

  /** Newest first; `before`: versions older than this id (uuidv7 ids sort by time). */
  async list(m: EntityManager, limit: number, before?: string): Promise<CatalogueVersion[]> {
    const query = m.getRepository(CatalogueVersion).createQueryBuilder('v').orderBy('v.seq', 'DESC').take(limit);
    if (before) {
      query.where('v.id < :before', { before });
    }
    return query.getMany();
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { PiiCryptoService, SqlDialect } from '../platform';
import { CoverageCacheEntry } from './identity-session.entity';
import type { CachedCoverage, InsurerPersonAnswer } from './rules/evidence';

export const CACHE_CONTEXT = 'identity_coverage_cache.answer';

/**
 * The last 1101 answer per person (`identity_coverage_cache`), for use while the insurer is
 * unreachable. The answer is personal data: stored only encrypted; keyed by the person key.
 */
@Injectable()
export class CoverageCacheRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly pii: PiiCryptoService,
  ) {}

  /** The newest answer kept under any of the person's keys (`personKeys`: one per lookup key in the keyring). */
  async find(subjectKeys: string[], m: EntityManager = this.dataSource.manager): Promise<CachedCoverage | undefined> {
    const row = await m
      .getRepository(CoverageCacheEntry)
      .findOne({ where: { subjectKey: In(subjectKeys) }, order: { fetchedAt: 'DESC' } });
    return row
      ? {
          answer: JSON.parse(this.pii.decrypt(row.answer, CACHE_CONTEXT)) as InsurerPersonAnswer,
          fetchedAt: new Date(row.fetchedAt),
        }
      : undefined;
  }

  /** Keeps `answer` as the person's latest, replacing the one before (one statement: no read-then-write race). */
  async store(
    subjectKey: string,
    answer: InsurerPersonAnswer,
    fetchedAt: Date,
    m: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const sql = SqlDialect.of(m);
    await sql.run(
      m,
      `INSERT INTO identity_coverage_cache (subject_key, answer, fetched_at) VALUES (${sql.list(3)}) ` +
        sql.upsert(['subject_key'], { answer: 'excluded.answer', fetched_at: 'excluded.fetched_at' }),
      [subjectKey, this.pii.encrypt(JSON.stringify(answer), CACHE_CONTEXT), sql.time(fetchedAt)],
    );
  }
}

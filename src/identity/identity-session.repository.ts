import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import { IdentitySession } from './identity-session.entity';

/** Verification sessions in the database: the only code that reads or writes `identity_session`. */
@Injectable()
export class IdentitySessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(id: string, m: EntityManager = this.dataSource.manager): Promise<IdentitySession | null> {
    return m.getRepository(IdentitySession).findOneBy({ id });
  }

  /** The desk's newest open session that a device event started and HIS has not adopted yet (no visit). */
  async findWaitingAtDesk(
    desk: string,
    now: Date,
    m: EntityManager = this.dataSource.manager,
  ): Promise<IdentitySession | null> {
    return m.getRepository(IdentitySession).findOne({
      where: { desk, visitId: IsNull(), expiresAt: MoreThan(now) },
      order: { createdAt: 'DESC' },
    });
  }

  /** The desk's newest session that has not expired. */
  async findLatestAtDesk(
    desk: string,
    now: Date,
    m: EntityManager = this.dataSource.manager,
  ): Promise<IdentitySession | null> {
    return m
      .getRepository(IdentitySession)
      .findOne({ where: { desk, expiresAt: MoreThan(now) }, order: { createdAt: 'DESC' } });
  }

  /** Ids of open sessions decided offline, least recently updated first. */
  async findOfflineIds(now: Date, m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows = await m
      .getRepository(IdentitySession)
      .find({ where: { offline: true, expiresAt: MoreThan(now) }, select: { id: true }, order: { updatedAt: 'ASC' } });
    return rows.map((r) => r.id);
  }

  /**
   * Inserts or updates the session in one statement (`INSERT … ON CONFLICT (id) DO UPDATE`: no read
   * first, unlike TypeORM's `save()`), in the caller's transaction (`Transactions.run`: on SQLite a
   * write transaction must go through the gate). Every column is written as the row holds it.
   */
  async save(row: IdentitySession, m: EntityManager): Promise<void> {
    await m.getRepository(IdentitySession).upsert(row, { conflictPaths: ['id'], skipUpdateIfNoValuesChanged: false });
  }
}

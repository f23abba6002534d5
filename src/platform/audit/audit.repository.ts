import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditEntry } from './audit-entry.entity';

/** What to look for in the audit log; the subject already hashed. */
export interface AuditFilter {
  action?: string;
  actorId?: string;
  subjectHash?: string;
  /** Entries strictly older than this id. */
  before?: string;
  limit: number;
}

/** The `audit_log` table: append and read (the database refuses updates and deletes). */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends `entry`; in the caller's transaction when `manager` is given. */
  async append(entry: AuditEntry, manager: EntityManager = this.dataSource.manager): Promise<AuditEntry> {
    const row = manager.create(AuditEntry, entry);
    await manager.insert(AuditEntry, row as QueryDeepPartialEntity<AuditEntry>);
    return row;
  }

  /** Newest first. */
  async find(filter: AuditFilter): Promise<AuditEntry[]> {
    return this.dataSource.getRepository(AuditEntry).find({
      where: {
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.actorId ? { actorId: filter.actorId } : {}),
        ...(filter.subjectHash ? { subjectHash: filter.subjectHash } : {}),
        ...(filter.before ? { id: LessThan(filter.before) } : {}),
      },
      order: { id: 'DESC' },
      take: filter.limit,
    });
  }
}

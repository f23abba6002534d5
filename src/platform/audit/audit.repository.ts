import { Injectable } from '@nestjs/common';
import { And, DataSource, EntityManager, LessThan, MoreThanOrEqual, type FindOperator } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditEntry, type ActorType, type AuditOutcome } from './audit-entry.entity';

/** What to look for in the audit log; the subject already hashed. */
export interface AuditFilter {
  action?: string;
  actorId?: string;
  actorType?: ActorType;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
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
        ...(filter.actorType ? { actorType: filter.actorType } : {}),
        ...(filter.outcome ? { outcome: filter.outcome } : {}),
        ...timeRange(filter.from, filter.to),
        ...(filter.subjectHash ? { subjectHash: filter.subjectHash } : {}),
        ...(filter.before ? { id: LessThan(filter.before) } : {}),
      },
      order: { id: 'DESC' },
      take: filter.limit,
    });
  }
}

function timeRange(from: Date | undefined, to: Date | undefined): { at?: FindOperator<Date> } {
  if (from && to) {
    return { at: And(MoreThanOrEqual(from), LessThan(to)) };
  }
  if (from) {
    return { at: MoreThanOrEqual(from) };
  }
  return to ? { at: LessThan(to) } : {};
}

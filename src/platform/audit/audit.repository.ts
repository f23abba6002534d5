import { Injectable } from '@nestjs/common';
import { And, DataSource, EntityManager, In, LessThan, MoreThanOrEqual, type FindOperator } from 'typeorm';
import { type SqlBinder, SqlDialect } from '../database/sql-dialect';
import { canonicalJson, contentHashOf } from './audit-chain';
import { AuditEntry, type ActorType, type AuditOutcome } from './audit-entry.entity';

/** What to look for in the audit log; the subject already hashed. */
export interface AuditFilter {
  action?: string;
  actorId?: string;
  actorType?: ActorType;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
  /** The subject's hash under each lookup key of the keyring. */
  subjectHashes?: readonly string[];
  /** Entries strictly older than this id. */
  before?: string;
  limit: number;
}

const COLUMNS = 'id, at, actor_type, actor_id, action, subject_hash, outcome, correlation_id, details, content_hash';

/** The `audit_log` table: append and read (the database refuses updates and deletes). */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends `entry`; in the caller's transaction when `manager` is given. */
  async append(entry: AuditEntry, manager: EntityManager = this.dataSource.manager): Promise<AuditEntry> {
    return (await this.appendAll([entry], manager))[0];
  }

  /**
   * Appends `entries` in one statement; in the caller's transaction when `manager` is given. Plain SQL:
   * every audited change writes here, and TypeORM's insert builder costs more than the statement.
   */
  async appendAll(
    entries: readonly AuditEntry[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<AuditEntry[]> {
    if (entries.length === 0) {
      return [];
    }
    const d = SqlDialect.of(manager);
    const b = d.binder();
    const rows = entries.map((e) => `(${AuditRepository.valuesOf(e, b).join(', ')})`);
    await d.run(manager, `INSERT INTO audit_log (${COLUMNS}) VALUES ${rows.join(', ')}`, b.params);
    return entries.map((entry) => Object.assign(new AuditEntry(), entry));
  }

  /**
   * PostgreSQL, for a data-modifying CTE (`WITH … , audit AS (<this>) …`): `entry` as
   * `INSERT … SELECT … FROM source`, so it is written exactly when `source` yields a row (once per
   * row), in the caller's statement, its values bound through the caller's binder. The statement
   * writes the change and its entry together or neither.
   */
  static appendFrom(entry: AuditEntry, source: string, b: SqlBinder): string {
    return `INSERT INTO audit_log (${COLUMNS}) SELECT ${AuditRepository.valuesOf(entry, b).join(', ')} FROM ${source}`;
  }

  /**
   * The placeholders of `entry`'s values, in the order of COLUMNS. The details are stored as
   * canonical JSON and the content hash is computed here (SM3, a few µs): every append path — these
   * and appendFrom's — writes an entry whose content is fixed from the start; the sealer chains it.
   */
  private static valuesOf(entry: AuditEntry, b: SqlBinder): string[] {
    const detailsText = entry.details === null ? null : canonicalJson(entry.details);
    return [
      b.bind(entry.id),
      b.bind(entry.at),
      b.bind(entry.actorType),
      b.bind(entry.actorId),
      b.bind(entry.action),
      b.bind(entry.subjectHash),
      b.bind(entry.outcome),
      b.bind(entry.correlationId),
      b.bind(detailsText),
      b.bind(contentHashOf({ ...entry, detailsText })),
    ];
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
        ...(filter.subjectHashes ? { subjectHash: In([...filter.subjectHashes]) } : {}),
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

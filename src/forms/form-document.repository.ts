import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, LessThan, Not } from 'typeorm';
import { FormDocument, FormStatus } from './form-document.entity';

/** What a listing filters by: a visit, a worker (person key), and the keyset page. */
export interface FormListFilter {
  visitId?: string;
  workerKey?: string;
  before?: string;
  limit: number;
}

/** The columns a draft change writes. */
export type FormDraftChanges = Pick<FormDocument, 'values' | 'disputed' | 'workerKey' | 'updatedAt'>;

/** The columns signing writes (file, upload message, keep-until). */
export type FormSigningChanges = Pick<
  FormDocument,
  | 'status'
  | 'filePath'
  | 'sha256'
  | 'size'
  | 'signatureKind'
  | 'signedAt'
  | 'keepUntil'
  | 'outboxMessageId'
  | 'outboxMsgid'
  | 'updatedAt'
>;

/** The columns the insurer's answer writes. */
export type FormSettledChanges = Pick<FormDocument, 'status' | 'updatedAt'> &
  Partial<Pick<FormDocument, 'fileId' | 'rejectReason'>>;

/** A signed version's statuses that retention may delete once keep-until has passed. */
const SETTLED_STATUSES: FormStatus[] = ['signed', 'acknowledged', 'rejected'];

/**
 * All database access of the forms: `form_document` rows, one version each. Every method takes an
 * optional EntityManager so that a use case can run it inside its own transaction (`Transactions.run`);
 * without one it reads or writes on its own. Writes that must not overwrite a signed version are
 * conditional on the status they expect and answer whether they changed the row.
 */
@Injectable()
export class FormDocumentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: FormDocument, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.insert(FormDocument, row);
  }

  /** The version with this id, or null (an id that is no UUID finds nothing). */
  async findById(id: string, m: EntityManager = this.dataSource.manager): Promise<FormDocument | null> {
    return /^[0-9a-f-]{36}$/.test(id) ? m.findOneBy(FormDocument, { id }) : null;
  }

  /** The form's newest version. */
  async latestVersion(formNo: string, m: EntityManager = this.dataSource.manager): Promise<FormDocument | null> {
    return m.findOne(FormDocument, { where: { formNo }, order: { version: 'DESC' } });
  }

  async versionExists(formNo: string, version: number, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    return m.exists(FormDocument, { where: { formNo, version } });
  }

  /** Every version of a form, oldest first. */
  async versions(formNo: string, m: EntityManager = this.dataSource.manager): Promise<FormDocument[]> {
    return m.find(FormDocument, { where: { formNo }, order: { version: 'ASC' } });
  }

  /** Newest first, keyset-paged by id. */
  async list(filter: FormListFilter, m: EntityManager = this.dataSource.manager): Promise<FormDocument[]> {
    const qb = m.getRepository(FormDocument).createQueryBuilder('f').orderBy('f.id', 'DESC').take(filter.limit);
    if (filter.visitId) {
      qb.andWhere('f.visit_id = :visitId', { visitId: filter.visitId });
    }
    if (filter.workerKey) {
      qb.andWhere('f.worker_key = :workerKey', { workerKey: filter.workerKey });
    }
    if (filter.before) {
      qb.andWhere('f.id < :before', { before: filter.before });
    }
    return qb.getMany();
  }

  /** Changes a version only while it is a draft; false when it was signed meanwhile. */
  async updateDraft(
    id: string,
    changes: FormDraftChanges | FormSigningChanges,
    m: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const result = await m.update(FormDocument, { id, status: 'draft' }, changes);
    return result.affected === 1;
  }

  /** The form version whose upload is this outbox message, if any. */
  async findByOutboxMessage(
    outboxMessageId: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<FormDocument | null> {
    return m.findOneBy(FormDocument, { outboxMessageId });
  }

  /** Records the insurer's answer on a signed version; false when it was already settled. */
  async settle(id: string, changes: FormSettledChanges, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const result = await m.update(FormDocument, { id, status: 'signed' }, changes);
    return result.affected === 1;
  }

  /** Ids of drafts last changed before `cutoff`. */
  async staleDraftIds(cutoff: Date, m: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows = await m.find(FormDocument, {
      where: { status: 'draft', updatedAt: LessThan(cutoff) },
      select: { id: true },
    });
    return rows.map((r) => r.id);
  }

  /** Signed versions past keep-until, except a signed one whose upload still waits for the insurer's answer. */
  async expiredSigned(now: Date, m: EntityManager = this.dataSource.manager): Promise<FormDocument[]> {
    const rows = await m.find(FormDocument, { where: { status: In(SETTLED_STATUSES), keepUntil: LessThan(now) } });
    return rows.filter(
      (r) =>
        r.keepUntil !== null &&
        r.keepUntil.getTime() < now.getTime() &&
        !(r.status === 'signed' && r.outboxMessageId !== null),
    );
  }

  /** Deletes a draft still untouched since `cutoff`; false when it changed or is gone (another instance pruned it). */
  async deleteStaleDraft(id: string, cutoff: Date, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const result = await m.delete(FormDocument, { id, status: 'draft', updatedAt: LessThan(cutoff) });
    return result.affected === 1;
  }

  /** Deletes a signed version still in `status` and past keep-until; false when it changed or is gone. */
  async deleteExpired(
    row: Pick<FormDocument, 'id' | 'status'>,
    now: Date,
    m: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const result = await m.delete(FormDocument, {
      id: row.id,
      status: row.status,
      keepUntil: LessThan(now),
      signedAt: Not(IsNull()),
    });
    return result.affected === 1;
  }
}

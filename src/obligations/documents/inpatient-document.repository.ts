import { Injectable } from '@nestjs/common';
import { Between, DataSource, EntityManager, In } from 'typeorm';
import type { DocType } from './doc-types';
import { InpatientDocument, InpatientDocumentSet, type DocumentUploadStatus } from './inpatient-document.entity';

/** The columns the insurer's answer writes. */
export type DocumentSettledChanges = { status: DocumentUploadStatus; uploadedAt: Date } & Partial<
  Pick<InpatientDocument, 'fileId' | 'rejectReason'>
>;

/** 'visit:<mdtrt_id>' for HIS's documents, 'settlement:<id>' for the gateway's. */
export const visitSubject = (mdtrtId: string): string => `visit:${mdtrtId}`;
export const settlementSubject = (settlementId: string): string => `settlement:${settlementId}`;

/**
 * All database access of the inpatient documents: the versions (`inpatient_document`) and the
 * settlements that owe them (`inpatient_document_set`). Every method takes an optional EntityManager
 * so that a use case runs it in its own transaction; status changes are conditional on the status
 * they expect and answer whether they changed the row.
 */
@Injectable()
export class InpatientDocumentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: InpatientDocument, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.insert(InpatientDocument, row);
  }

  /** The current (newest) version of one document of a subject. */
  async current(
    subjectKey: string,
    docType: DocType,
    m: EntityManager = this.dataSource.manager,
  ): Promise<InpatientDocument | null> {
    return m.findOne(InpatientDocument, { where: { subjectKey, docType }, order: { version: 'DESC' } });
  }

  /** Every version of one document of a subject, oldest first. */
  async versions(
    subjectKey: string,
    docType: DocType,
    m: EntityManager = this.dataSource.manager,
  ): Promise<InpatientDocument[]> {
    return m.find(InpatientDocument, { where: { subjectKey, docType }, order: { version: 'ASC' } });
  }

  async byOutboxMessage(id: string, m: EntityManager = this.dataSource.manager): Promise<InpatientDocument | null> {
    return m.findOneBy(InpatientDocument, { outboxMessageId: id });
  }

  /** A newer version replaced it: kept, no longer current. */
  async supersede(id: string, at: Date, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.update(InpatientDocument, { id }, { supersededAt: at });
  }

  /** Its upload queued: stored → queued with the outbox message. */
  async markQueued(id: string, outboxMessageId: string, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    const r = await m.update(InpatientDocument, { id, status: 'stored' }, { status: 'queued', outboxMessageId });
    return (r.affected ?? 0) > 0;
  }

  /** The insurer answered: queued → acknowledged | rejected. */
  async settle(
    id: string,
    changes: DocumentSettledChanges,
    m: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const r = await m.update(InpatientDocument, { id, status: 'queued' }, changes);
    return (r.affected ?? 0) > 0;
  }

  /** Records the settlement that owes the documents; false when it was recorded before. */
  async putSet(set: InpatientDocumentSet, m: EntityManager = this.dataSource.manager): Promise<boolean> {
    if (await m.exists(InpatientDocumentSet, { where: { settlementId: set.settlementId } })) {
      return false;
    }
    await m.insert(InpatientDocumentSet, set);
    return true;
  }

  async set(settlementId: string, m: EntityManager = this.dataSource.manager): Promise<InpatientDocumentSet | null> {
    return m.findOneBy(InpatientDocumentSet, { settlementId });
  }

  async setsOfVisit(mdtrtId: string, m: EntityManager = this.dataSource.manager): Promise<InpatientDocumentSet[]> {
    return m.find(InpatientDocumentSet, { where: { mdtrtId }, order: { createdAt: 'ASC' } });
  }

  /** The settlements settled from `firstDay` to `lastDay` ('yyyy-MM-dd', Beijing, inclusive), in settling order. */
  async setsSettledBetween(
    firstDay: string,
    lastDay: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<InpatientDocumentSet[]> {
    return m.find(InpatientDocumentSet, {
      where: { settledOn: Between(firstDay, lastDay) },
      order: { settledOn: 'ASC', settlementId: 'ASC' },
    });
  }

  /** Every version of the documents of these subjects, by doc_type, oldest version first. */
  async allOf(subjectKeys: string[], m: EntityManager = this.dataSource.manager): Promise<InpatientDocument[]> {
    if (subjectKeys.length === 0) {
      return [];
    }
    return m.find(InpatientDocument, {
      where: { subjectKey: In(subjectKeys) },
      order: { docType: 'ASC', version: 'ASC', subjectKey: 'ASC' },
    });
  }
}

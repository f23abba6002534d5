import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { Clock, type Principal, Transactions, uuidv7 } from '../../platform';
import { VisitsService } from '../../settlement/visits.service';
import { DOC_NAMES, DOC_TYPES, type DocType, HIS_DOCUMENTS, isVisitDocument } from './doc-types';
import type { DocumentSource, InpatientDocument, InpatientDocumentSet } from './inpatient-document.entity';
import { InpatientDocumentRepository, settlementSubject, visitSubject } from './inpatient-document.repository';
import type { InpatientDocumentDto, SendDocumentDto, SentDocumentDto } from './inpatient-documents.dto';
import { DOCUMENT_ERRORS } from './inpatient-documents.errors';

/** 9101 refuses files over 10 MB. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Listener = (mdtrtId: string) => void;

/**
 * Use case: the medical documents of inpatient settlements, as kept. HIS sends the 病案首页 and
 * 出院小结 of a visit (a PDF); the gateway stores the fee list and statement it renders. Every
 * version is kept with its SHA-256 and size: the same content again changes nothing, a different
 * content becomes the next version (the older kept, never overwritten). Uploads are the job's
 * (InpatientDocumentsJob).
 */
@Injectable()
export class InpatientDocumentsService {
  private readonly listeners: Listener[] = [];

  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly repository: InpatientDocumentRepository,
    private readonly visits: VisitsService,
  ) {}

  /** `listener` runs after HIS's document of a visit was stored (the uploads may go on). */
  onStored(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** HIS's 病案首页 (`medical-record`) or 出院小结 (`discharge-summary`) of an inpatient visit. */
  async receive(principal: Principal, visitId: string, kind: string, dto: SendDocumentDto): Promise<SentDocumentDto> {
    const docType = Object.hasOwn(HIS_DOCUMENTS, kind) ? HIS_DOCUMENTS[kind] : undefined;
    if (!docType) {
      throw DOCUMENT_ERRORS.raise('DOCUMENT_KIND_UNKNOWN');
    }
    const bytes = pdfBytes(dto.contentBase64);
    const visit = await this.visits.get(visitId); // SETTLEMENT_VISIT_NOT_FOUND
    if (visit.kind !== 'inpatient') {
      throw DOCUMENT_ERRORS.raise('DOCUMENT_VISIT_NOT_INPATIENT', {
        message: `就诊 ${visitId} 是门诊：病案首页和出院小结只用于住院就诊`,
      });
    }
    const { row, unchanged } = await this.store(
      {
        subjectKey: visitSubject(visitId),
        mdtrtId: visitId,
        settlementId: null,
        docType,
        source: 'his',
        fileName: dto.fileName ?? `${DOC_NAMES[docType]}-${visitId}.pdf`,
        createdBy: principal.id,
      },
      bytes,
    );
    if (!unchanged) {
      this.listeners.forEach((l) => l(visitId));
    }
    const versions = (await this.repository.versions(row.subjectKey, docType)).length;
    return { ...toDto(docType, row, versions), unchanged };
  }

  /**
   * Stores `bytes` as the current version of a document: nothing new when it is the current
   * version's content; otherwise the next version, the current one kept as superseded.
   */
  async store(
    what: Pick<InpatientDocument, 'subjectKey' | 'mdtrtId' | 'settlementId' | 'docType' | 'fileName' | 'createdBy'> & {
      source: DocumentSource;
    },
    bytes: Buffer,
  ): Promise<{ row: InpatientDocument; unchanged: boolean }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    try {
      return await this.storeOnce(what, bytes, sha256);
    } catch (e) {
      // Two sends of one document at once: the unique (subject, type, version) index let one take
      // the version; this one goes again on top of it (or finds the same content there).
      if (!(e instanceof QueryFailedError)) {
        throw e;
      }
      return this.storeOnce(what, bytes, sha256);
    }
  }

  private storeOnce(
    what: Pick<InpatientDocument, 'subjectKey' | 'mdtrtId' | 'settlementId' | 'docType' | 'fileName' | 'createdBy'> & {
      source: DocumentSource;
    },
    bytes: Buffer,
    sha256: string,
  ): Promise<{ row: InpatientDocument; unchanged: boolean }> {
    return this.transactions.run(async (m) => {
      const current = await this.repository.current(what.subjectKey, what.docType, m);
      if (current && current.sha256 === sha256) {
        return { row: current, unchanged: true };
      }
      const now = this.clock.now();
      const row: InpatientDocument = {
        ...what,
        id: uuidv7(now.getTime()),
        version: (current?.version ?? 0) + 1,
        sha256,
        size: bytes.length,
        pdfBase64: bytes.toString('base64'),
        status: 'stored',
        outboxMessageId: null,
        fileId: null,
        rejectReason: null,
        createdAt: now,
        uploadedAt: null,
        supersededAt: null,
      };
      if (current) {
        await this.repository.supersede(current.id, now, m);
      }
      await this.repository.insert(row, m);
      return { row, unchanged: false };
    });
  }

  /** The four documents of an inpatient settlement (the visit's two and the settlement's two). */
  async ofSettlement(settlementId: string): Promise<InpatientDocumentDto[]> {
    const set = await this.setOf(settlementId);
    return Promise.all(
      DOC_TYPES.map(async (docType) => {
        const versions = await this.repository.versions(subjectOf(set, docType), docType);
        return toDto(docType, versions.at(-1) ?? null, versions.length);
      }),
    );
  }

  /** One document's PDF: the current version, or `version`. */
  async pdf(
    settlementId: string,
    docType: string,
    version?: number,
  ): Promise<{ bytes: Buffer; fileName: string; sha256: string }> {
    const set = await this.setOf(settlementId);
    if (!(DOC_TYPES as readonly string[]).includes(docType)) {
      throw DOCUMENT_ERRORS.raise('DOCUMENT_NOT_FOUND');
    }
    const versions = await this.repository.versions(subjectOf(set, docType as DocType), docType as DocType);
    const row = version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
    if (!row) {
      throw DOCUMENT_ERRORS.raise('DOCUMENT_NOT_FOUND');
    }
    return { bytes: Buffer.from(row.pdfBase64, 'base64'), fileName: row.fileName, sha256: row.sha256 };
  }

  private async setOf(settlementId: string): Promise<InpatientDocumentSet> {
    const set = await this.repository.set(settlementId, this.transactions.reader);
    if (!set) {
      throw DOCUMENT_ERRORS.raise('DOCUMENT_SETTLEMENT_NOT_INPATIENT', {
        message: `结算 ${settlementId} 不是已结算的住院结算，没有住院文书：请核对结算ID`,
      });
    }
    return set;
  }
}

/** Where a settlement's document of this type is kept: the visit's (HIS) or the settlement's (gateway). */
export function subjectOf(set: Pick<InpatientDocumentSet, 'mdtrtId' | 'settlementId'>, docType: DocType): string {
  return isVisitDocument(docType) ? visitSubject(set.mdtrtId) : settlementSubject(set.settlementId);
}

/** The PDF in `base64`, or 422 / 413 saying what is wrong with it. */
export function pdfBytes(base64: string): Buffer {
  const text = base64.replace(/\s+/g, '');
  if (!BASE64.test(text)) {
    throw DOCUMENT_ERRORS.raise('DOCUMENT_NOT_PDF', {
      message: 'contentBase64 不是有效的 Base64 编码：请把 PDF 文件按 Base64 编码后重新发送',
    });
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    throw DOCUMENT_ERRORS.raise('DOCUMENT_TOO_LARGE');
  }
  if (bytes.length < 5 || bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw DOCUMENT_ERRORS.raise('DOCUMENT_NOT_PDF');
  }
  return bytes;
}

export function toDto(docType: DocType, row: InpatientDocument | null, versions: number): InpatientDocumentDto {
  return {
    docType,
    name: DOC_NAMES[docType],
    source: row?.source ?? (isVisitDocument(docType) ? 'his' : 'gateway'),
    status: row?.status ?? 'missing',
    version: row?.version ?? null,
    versions,
    sha256: row?.sha256 ?? null,
    size: row?.size ?? null,
    fileId: row?.fileId ?? null,
    rejectReason: row?.rejectReason ?? null,
    storedAt: row?.createdAt.toISOString() ?? null,
    uploadedAt: row?.uploadedAt?.toISOString() ?? null,
  };
}

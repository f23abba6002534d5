import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { QueryFailedError } from 'typeorm';
import { Clock, GatewayConfig, type Principal, Transactions, uuidv7 } from '../../platform';
import type { VisitDetailDto } from '../../settlement/visits.dto';
import { VisitsService } from '../../settlement/visits.service';
import { DOC_NAMES, DOC_TYPES, type DocType, HIS_DOCUMENTS, isVisitDocument } from './doc-types';
import type { DocumentSource, InpatientDocument, InpatientDocumentSet } from './inpatient-document.entity';
import { InpatientDocumentRepository, settlementSubject, visitSubject } from './inpatient-document.repository';
import type { InpatientDocumentDto, SendDocumentDto, SentDocumentDto } from './inpatient-documents.dto';
import { DOCUMENT_ERRORS } from './inpatient-documents.errors';
import {
  dischargeSummaryValues,
  HisDocumentRenderer,
  medicalRecordValues,
  type StayFacts,
} from './his/his-document-renderer';
import type { DischargeSummaryDataDto, MedicalRecordDataDto } from './his/his-documents.dto';

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
    private readonly config: GatewayConfig,
    private readonly his: HisDocumentRenderer,
  ) {}

  /** `listener` runs after HIS's document of a visit was stored (the uploads may go on). */
  onStored(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** HIS's 病案首页 (`medical-record`) or 出院小结 (`discharge-summary`) of an inpatient visit, as a PDF. */
  async receive(principal: Principal, visitId: string, kind: string, dto: SendDocumentDto): Promise<SentDocumentDto> {
    const docType = hisDocType(kind);
    const bytes = pdfBytes(dto.contentBase64);
    await this.inpatientVisit(visitId);
    return this.keep(principal, visitId, docType, bytes, dto.fileName ?? `${DOC_NAMES[docType]}-${visitId}.pdf`);
  }

  /** The 病案首页 as structured data, rendered (templates/medical-record.json). */
  async receiveMedicalRecord(
    principal: Principal,
    visitId: string,
    dto: MedicalRecordDataDto,
  ): Promise<SentDocumentDto> {
    const stay = await this.dischargedStay(visitId);
    const pdf = await this.his.render('03', medicalRecordValues(stay, dto), dto.writtenOn);
    return this.keep(principal, visitId, '03', pdf, `${DOC_NAMES['03']}-${visitId}.pdf`);
  }

  /** The 出院小结 as structured data, rendered (templates/discharge-summary.json). */
  async receiveDischargeSummary(
    principal: Principal,
    visitId: string,
    dto: DischargeSummaryDataDto,
  ): Promise<SentDocumentDto> {
    const stay = await this.dischargedStay(visitId);
    const pdf = await this.his.render('04', dischargeSummaryValues(stay, dto), dto.writtenOn);
    return this.keep(principal, visitId, '04', pdf, `${DOC_NAMES['04']}-${visitId}.pdf`);
  }

  private async keep(
    principal: Principal,
    visitId: string,
    docType: DocType,
    bytes: Buffer,
    fileName: string,
  ): Promise<SentDocumentDto> {
    const { row, unchanged } = await this.store(
      {
        subjectKey: visitSubject(visitId),
        mdtrtId: visitId,
        settlementId: null,
        docType,
        source: 'his',
        fileName,
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

  private async inpatientVisit(visitId: string): Promise<VisitDetailDto> {
    const visit = await this.visits.get(visitId); // SETTLEMENT_VISIT_NOT_FOUND
    if (visit.kind !== 'inpatient') {
      throw DOCUMENT_ERRORS.raise('DOCUMENT_VISIT_NOT_INPATIENT', {
        message: `就诊 ${visitId} 是门诊：病案首页和出院小结只用于住院就诊`,
      });
    }
    return visit;
  }

  private async dischargedStay(visitId: string): Promise<StayFacts> {
    const visit = await this.inpatientVisit(visitId);
    if (!visit.admissionDate || !visit.dischargeDate) {
      throw DOCUMENT_ERRORS.raise('DOCUMENT_VISIT_NOT_DISCHARGED', {
        message: `住院 ${visitId} 尚未登记出院日期：请先登记出院，再发送结构化的病案首页或出院小结`,
      });
    }
    return {
      hospital: { name: this.config.hospital.name, code: this.config.hospital.fixmedinsCode },
      visitId,
      psnNo: visit.psnNo,
      department: visit.dept,
      admissionDate: visit.admissionDate,
      dischargeDate: visit.dischargeDate,
    };
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

/** The doc_type of a HIS document's path name, or 404 DOCUMENT_KIND_UNKNOWN. */
function hisDocType(kind: string): DocType {
  const docType = Object.hasOwn(HIS_DOCUMENTS, kind) ? HIS_DOCUMENTS[kind] : undefined;
  if (!docType) {
    throw DOCUMENT_ERRORS.raise('DOCUMENT_KIND_UNKNOWN');
  }
  return docType;
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

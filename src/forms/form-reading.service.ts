import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '../platform';
import { OutboxService } from '../upstream/outbox/outbox.service';
import { FormContentService } from './form-content.service';
import { FormDocument } from './form-document.entity';
import { FormDocumentRepository } from './form-document.repository';
import { FormStorageService } from './form-storage.service';
import { FormDetailDto, FormDto } from './forms.dto';
import { FORM_ERRORS } from './forms.errors';
import { toFormDetailDto, toFormDto } from './forms.mapper';
import { formKind } from './kinds/form-kinds';
import { FormRenderer } from './render/form-renderer';

/** What a listing asks for: a visit or a worker (ID number), and the keyset page. */
export interface FormListRequest {
  visitId?: string;
  idNumber?: string;
  before?: string;
  limit: number;
}

/** The footer every rendering of a version carries: its number, version, and what it corrects. */
export function formFooter(row: Pick<FormDocument, 'formNo' | 'version' | 'previousId'>): string {
  return `表单编号 ${row.formNo} 第${row.version}版${row.previousId ? `（更正第${row.version - 1}版）` : ''}`;
}

/** Reading forms: one version with its history, a listing, and the PDF (stored or rendered). */
@Injectable()
export class FormReadingService {
  constructor(
    private readonly forms: FormDocumentRepository,
    private readonly content: FormContentService,
    private readonly outbox: OutboxService,
    private readonly renderer: FormRenderer,
    private readonly storage: FormStorageService,
  ) {}

  async get(id: string): Promise<FormDetailDto> {
    return this.detail(await this.load(id));
  }

  /** A version, or 404 FORM_NOT_FOUND. */
  async load(id: string): Promise<FormDocument> {
    const row = await this.forms.findById(id);
    if (!row) {
      throw FORM_ERRORS.raise('FORM_NOT_FOUND', { message: `表单 ${id} 不存在（或已按保存期限删除）` });
    }
    return row;
  }

  /** The signed file byte for byte (checked against its digest), or a draft rendered with a 草稿 footer. */
  async pdf(id: string): Promise<{ bytes: Buffer; fileName: string }> {
    const row = await this.load(id);
    const spec = formKind(row.kind);
    const fileName = `${row.formNo}-v${row.version}.pdf`;
    if (row.status === 'draft' || !row.filePath || !row.sha256 || row.size === null) {
      const values = this.content.prepare(spec, this.content.open(row));
      return {
        bytes: await this.renderer.render({
          spec,
          values,
          disputed: row.disputed,
          footer: `草稿（未签署，不得作为备案依据） ${formFooter(row)}`,
        }),
        fileName,
      };
    }
    return {
      bytes: this.storage.read({ path: row.filePath, sha256: row.sha256, size: row.size }, row.formNo, row.version),
      fileName,
    };
  }

  /** Newest first, keyset-paged by id; by visit or by worker (person key of the ID number, never stored in clear). */
  async list(filter: FormListRequest): Promise<FormDto[]> {
    if (!filter.visitId && !filter.idNumber) {
      throw new ValidationFailedError([FORM_ERRORS.detail('FORM_LIST_FILTER_REQUIRED', { field: 'visitId' })]);
    }
    const rows = await this.forms.list({
      visitId: filter.visitId,
      workerKey: filter.idNumber ? this.content.keyOf(filter.idNumber) : undefined,
      before: filter.before,
      limit: filter.limit,
    });
    const progress = await this.outbox.progress(rows.flatMap((r) => (r.outboxMessageId ? [r.outboxMessageId] : [])));
    return rows.map((r) => toFormDto(r, progress.get(r.outboxMessageId ?? '')));
  }

  /** A version as the API shows it: values, the upload's progress, every version of the form. */
  async detail(row: FormDocument): Promise<FormDetailDto> {
    const shown = this.content.shown(this.content.open(row));
    const versions = await this.forms.versions(row.formNo);
    const progress = row.outboxMessageId
      ? (await this.outbox.progress([row.outboxMessageId])).get(row.outboxMessageId)
      : undefined;
    return toFormDetailDto(row, progress, shown, versions);
  }
}

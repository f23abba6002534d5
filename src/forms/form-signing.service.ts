import { Injectable } from '@nestjs/common';
import { AuditService, Clock, GatewayConfig, type Principal, Transactions } from '../platform';
import { beijingDateTime } from '../upstream/protocol/msgid';
import { recordFormAction } from './form-audit';
import { FormContentService } from './form-content.service';
import { FormDocument, SignatureKind } from './form-document.entity';
import { FormDocumentRepository, type FormSigningChanges } from './form-document.repository';
import { formFooter, FormReadingService } from './form-reading.service';
import { keepUntil } from './form-retention.service';
import { FormStorageService } from './form-storage.service';
import { FormUploadService } from './form-upload.service';
import { FormDetailDto, SignFormDto } from './forms.dto';
import { FORM_ERRORS, formSignedImmutable } from './forms.errors';
import { formKind, type FormKindSpec } from './kinds/form-kinds';
import { FormRenderer } from './render/form-renderer';
import type { FormValues } from './render/form-values';

/** 9101 refuses files over 10 MB. */
const MAX_SCAN_BYTES = 10 * 1024 * 1024;
const PDF_MAGIC = '%PDF-';

/**
 * Signing a draft: the signature image placed with the date (or a scanned signed copy) becomes an
 * immutable stored file, and in the same transaction the row is signed and its upload queued.
 */
@Injectable()
export class FormSigningService {
  constructor(
    private readonly transactions: Transactions,
    private readonly forms: FormDocumentRepository,
    private readonly content: FormContentService,
    private readonly reading: FormReadingService,
    private readonly upload: FormUploadService,
    private readonly storage: FormStorageService,
    private readonly renderer: FormRenderer,
    private readonly audit: AuditService,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
  ) {}

  async sign(id: string, input: SignFormDto, principal: Principal): Promise<FormDetailDto> {
    const row = await this.reading.load(id);
    if (row.status !== 'draft') {
      throw formSignedImmutable(row.formNo, row.version, row.status);
    }
    const spec = formKind(row.kind);
    const stored = this.content.open(row);
    const values = this.content.prepare(spec, stored);
    const now = this.clock.now();
    const { bytes, signatureKind } = await this.signedBytes(row, spec, values, input, now);
    // The file first (temp + fsync + rename), then the row: a crash in between leaves an unreferenced
    // file, never a row pointing at nothing. A failed transaction removes the file again.
    const file = this.storage.write(row.formNo, row.version, bytes);
    let changes: FormSigningChanges;
    try {
      changes = await this.transactions.run(async (m) => {
        const message = await this.upload.enqueue(m, { row, spec, stored, file, bytes });
        const update: FormSigningChanges = {
          status: 'signed',
          filePath: file.path,
          sha256: file.sha256,
          size: file.size,
          signatureKind,
          signedAt: now,
          keepUntil: keepUntil(this.config, now),
          outboxMessageId: message?.id ?? null,
          outboxMsgid: message?.msgid ?? null,
          updatedAt: now,
        };
        if (!(await this.forms.updateDraft(id, update, m))) {
          throw formSignedImmutable(row.formNo, row.version, 'signed');
        }
        const details = { signatureKind, sha256: file.sha256, size: file.size, msgid: message?.msgid ?? null };
        await recordFormAction(this.audit, m, { principal, action: 'forms.sign', row, values, details });
        return update;
      });
    } catch (e) {
      this.storage.remove(file.path);
      throw e;
    }
    return this.reading.detail({ ...row, ...changes });
  }

  /** The file to store: the form drawn with the signature image and date, or the scanned copy as given. */
  private async signedBytes(
    row: FormDocument,
    spec: FormKindSpec,
    values: FormValues,
    input: SignFormDto,
    now: Date,
  ): Promise<{ bytes: Buffer; signatureKind: SignatureKind }> {
    if ((input.signaturePng === undefined) === (input.scannedPdf === undefined)) {
      throw FORM_ERRORS.raise('FORM_SIGNATURE_REQUIRED', {
        details: [
          FORM_ERRORS.detail('FORM_SIGNATURE_REQUIRED', {
            field: 'signaturePng',
            message: '签名图片（PNG 的 Base64）与扫描件（PDF 的 Base64）二选一',
          }),
        ],
      });
    }
    if (input.signaturePng !== undefined) {
      const png = decodeBase64(input.signaturePng, 'signaturePng');
      const date = input.signedAt ?? beijingDateTime(now).slice(0, 10);
      const bytes = await this.renderer.render({
        spec,
        values,
        disputed: row.disputed,
        signature: { png, date },
        footer: formFooter(row),
        createdAt: now,
      });
      return { bytes, signatureKind: 'pad' };
    }
    const bytes = decodeBase64(input.scannedPdf as string, 'scannedPdf');
    if (bytes.subarray(0, 5).toString('latin1') !== PDF_MAGIC) {
      throw FORM_ERRORS.raise('FORM_SCAN_NOT_PDF', {
        details: [FORM_ERRORS.detail('FORM_SCAN_NOT_PDF', { field: 'scannedPdf', message: '不是 PDF 文件' })],
      });
    }
    if (bytes.length > MAX_SCAN_BYTES) {
      throw FORM_ERRORS.raise('FORM_SCAN_TOO_LARGE', {
        details: [FORM_ERRORS.detail('FORM_SCAN_TOO_LARGE', { field: 'scannedPdf', message: '超过 10 MB' })],
      });
    }
    return { bytes, signatureKind: 'scan' };
  }
}

function decodeBase64(text: string, field: string): Buffer {
  const clean = text.replace(/^data:[a-z/]+;base64,/, '');
  // Groups of four, the last padded with at most two '=': the same as /^(?:[A-Za-z0-9+/]{4})*(?:…==|…=)?$/,
  // without a backtracking group (which overflowed the regex stack on a scan of several megabytes).
  if (clean.length === 0 || clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) {
    throw FORM_ERRORS.raise('FORM_BASE64_INVALID', {
      message: `${field} 不是有效的 Base64 编码`,
      details: [FORM_ERRORS.detail('FORM_BASE64_INVALID', { field, message: '不是有效的 Base64 编码' })],
    });
  }
  return Buffer.from(clean, 'base64');
}

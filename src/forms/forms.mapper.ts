import type { MessageProgress } from '../upstream/outbox/outbox.service';
import type { FormDocument, FormStatus } from './form-document.entity';
import { FormDetailDto, FormDto, FormFieldDto, FormKindDto, FormVersionDto, UploadDto } from './forms.dto';
import { FORM_KINDS, formKind } from './kinds/form-kinds';
import type { FormValues } from './render/form-values';

/**
 * What the API shows: a signed form whose upload was sent but not answered yet (a timeout, a lost
 * reply: the outbox asks the insurer before it ever resends) is `uploaded`; while its message waits
 * or is being tried (first try, or again after the insurer was unreachable) it stays `signed`, with
 * the tries and the last error in `upload`. A verified answer moves the row itself to acknowledged
 * or rejected.
 */
export function shownStatus(status: FormStatus, progress: MessageProgress | undefined): FormStatus {
  return status === 'signed' && progress?.awaitingAnswer === true ? 'uploaded' : status;
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

function titleOf(kind: string): string {
  try {
    return formKind(kind).title;
  } catch {
    return kind; // a kind no longer known: its rows stay readable
  }
}

export function toUploadDto(progress: MessageProgress): UploadDto {
  return {
    state: progress.status,
    attempts: progress.attempts,
    lastError: progress.lastError,
    nextAttemptAt: progress.nextAttemptAt.toISOString(),
  };
}

/** One form version as listed, with its upload's progress in the outbox while there is one. */
export function toFormDto(row: FormDocument, progress: MessageProgress | undefined): FormDto {
  return {
    id: row.id,
    formNo: row.formNo,
    version: row.version,
    previousId: row.previousId,
    kind: row.kind,
    title: titleOf(row.kind),
    visitId: row.visitId,
    disputed: row.disputed,
    status: shownStatus(row.status, progress),
    rejectReason: row.rejectReason,
    sha256: row.sha256,
    size: row.size,
    signatureKind: row.signatureKind,
    signedAt: iso(row.signedAt),
    keepUntil: iso(row.keepUntil),
    uploadMsgid: row.outboxMsgid,
    upload: progress ? toUploadDto(progress) : null,
    insurerFileId: row.fileId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toFormVersionDto(v: FormDocument): FormVersionDto {
  return {
    id: v.id,
    version: v.version,
    status: v.status,
    signedAt: iso(v.signedAt),
    sha256: v.sha256,
    previousId: v.previousId,
  };
}

/** A version with its values (HIS's, the verified worker's over them) and every version of the form. */
export function toFormDetailDto(
  row: FormDocument,
  progress: MessageProgress | undefined,
  shown: { values: FormValues; verifiedWorkerFields: string[] },
  versions: FormDocument[],
): FormDetailDto {
  return {
    ...toFormDto(row, progress),
    values: shown.values,
    verifiedWorkerFields: shown.verifiedWorkerFields,
    versions: versions.map(toFormVersionDto),
  };
}

/** Every form kind with its fields as the template declares them (what a client needs to fill a draft). */
export function formKindDtos(): FormKindDto[] {
  return FORM_KINDS.map((kind) => {
    const spec = formKind(kind);
    return {
      kind: spec.kind,
      title: spec.title,
      fields: spec.template.fields.map((f): FormFieldDto => ({
        key: f.key,
        label: f.label,
        type: f.type,
        required: f.required,
        ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
        ...(f.enum ? { enum: [...f.enum] } : {}),
        ...(f.columns
          ? {
              columns: f.columns.map((c) => ({
                key: c.key,
                label: c.label,
                type: c.type,
                required: c.required,
                ...(c.maxLength !== undefined ? { maxLength: c.maxLength } : {}),
              })),
            }
          : {}),
        ...(f.maxRows !== undefined ? { maxRows: f.maxRows } : {}),
      })),
    };
  });
}

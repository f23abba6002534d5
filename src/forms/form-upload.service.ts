import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, Clock, systemPrincipal } from '../platform';
import type { OutboxMessage } from '../upstream/outbox/outbox-message.entity';
import { OutboxService, type SettledOutcome } from '../upstream/outbox/outbox.service';
import { INFNO } from '../upstream/protocol/transactions';
import type { StoredFormValues } from './form-content.service';
import type { FormDocument } from './form-document.entity';
import { FormDocumentRepository, type FormSettledChanges } from './form-document.repository';
import type { StoredFile } from './form-storage.service';
import type { FormKindSpec } from './kinds/form-kinds';

/** What the upload of one signed version carries. */
export interface FormUpload {
  row: Pick<FormDocument, 'formNo' | 'version'>;
  spec: FormKindSpec;
  stored: Pick<StoredFormValues, 'psnNo' | 'mdtrtId'>;
  file: StoredFile;
  bytes: Buffer;
}

/**
 * The upload of signed forms to the insurer (9101) through the outbox: queued in the signing
 * transaction, and settled by the outbox completion hook in the dispatcher's transaction —
 * acknowledged with the insurer's file_id, or rejected with its reason.
 */
@Injectable()
export class FormUploadService implements OnModuleInit, OnApplicationShutdown {
  private readonly actor = systemPrincipal('upstream.dispatcher');
  private offSettled: (() => void) | undefined;

  constructor(
    private readonly outbox: OutboxService,
    private readonly forms: FormDocumentRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // Registered before the dispatcher starts (it starts on application bootstrap).
    this.offSettled = this.outbox.onSettled(INFNO.documentUpload, (manager, message, outcome) =>
      this.settled(manager, message, outcome),
    );
  }

  onApplicationShutdown(): void {
    this.offSettled?.();
  }

  /** Queues the upload in `m`'s transaction; nothing is queued without a person number (the insurer needs one). */
  async enqueue(m: EntityManager, upload: FormUpload): Promise<OutboxMessage | undefined> {
    const { row, spec, stored, file, bytes } = upload;
    if (!stored.psnNo) {
      return undefined;
    }
    const [message] = await this.outbox.enqueue(m, [
      {
        infno: INFNO.documentUpload,
        // One form's versions reach the insurer in order.
        subjectKey: `form:${row.formNo}`,
        input: {
          file_name: `${spec.title}-${row.formNo}-v${row.version}.pdf`,
          file_type: 'pdf',
          sha256: file.sha256,
          content_base64: bytes.toString('base64'),
          doc_type: spec.docType,
          psn_no: stored.psnNo,
          ...(stored.mdtrtId ? { mdtrt_id: stored.mdtrtId } : {}),
        },
      },
    ]);
    return message;
  }

  /** In the dispatcher's settling transaction: acknowledged with the insurer's file_id, or rejected with its reason. */
  async settled(manager: EntityManager, message: OutboxMessage, outcome: SettledOutcome): Promise<void> {
    const row = await this.forms.findByOutboxMessage(message.id, manager);
    if (!row) {
      return; // another capability's document (medical record papers …)
    }
    const now = this.clock.now();
    const fileId = (outcome.output as { file_id?: unknown } | null)?.file_id;
    const changes: FormSettledChanges =
      outcome.status === 'delivered'
        ? { status: 'acknowledged', fileId: typeof fileId === 'string' ? fileId.slice(0, 40) : null, updatedAt: now }
        : {
            status: 'rejected',
            rejectReason: (outcome.errMsg ?? `infcode ${outcome.infcode}`).slice(0, 500),
            updatedAt: now,
          };
    if (!(await this.forms.settle(row.id, changes, manager))) {
      return;
    }
    await this.audit.record(
      {
        actor: this.actor,
        action: 'forms.upload',
        outcome: outcome.status === 'delivered' ? 'success' : 'failure',
        details: {
          formId: row.id,
          formNo: row.formNo,
          version: row.version,
          msgid: message.msgid,
          infcode: outcome.infcode,
          fileId: changes.fileId ?? null,
        },
      },
      manager,
    );
  }
}

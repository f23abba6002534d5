import { Injectable, Logger } from '@nestjs/common';
import { AuditService, Clock, GatewayConfig, systemPrincipal, Transactions } from '../platform';
import { FormDocument } from './form-document.entity';
import { FormDocumentRepository } from './form-document.repository';
import { FormStorageService } from './form-storage.service';

/** The background job that applies retention (registered with the JobRunner by the forms module). */
export const FORMS_RETENTION_JOB = 'forms.retention';

export interface PruneReport {
  dryRun: boolean;
  /** Ids of the drafts deleted (or, in a dry run, that would be). */
  drafts: string[];
  /** Ids of the signed versions deleted, row and file (or, in a dry run, that would be). */
  signed: string[];
}

/** The agreement's end (or the signing, if later) plus keepYearsAfterAgreement; null when the end is not configured. */
export function keepUntil(config: GatewayConfig, signedAt: Date): Date | null {
  const { agreementEndDate, keepYearsAfterAgreement } = config.forms.retention;
  if (!agreementEndDate) {
    return null;
  }
  // The end of the agreement's last day, Beijing time.
  const end = new Date(`${agreementEndDate}T23:59:59.999+08:00`);
  const until = new Date(Math.max(end.getTime(), signedAt.getTime()));
  until.setUTCFullYear(until.getUTCFullYear() + keepYearsAfterAgreement);
  return until;
}

/** Forms retention: run by the `forms.retention` background job and by the CLI (`forms prune`). */
@Injectable()
export class FormRetentionService {
  private readonly logger = new Logger(FormRetentionService.name);
  private readonly actor = systemPrincipal(FORMS_RETENTION_JOB);

  constructor(
    private readonly forms: FormDocumentRepository,
    private readonly transactions: Transactions,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly storage: FormStorageService,
  ) {}

  /**
   * Deletes drafts untouched for draftDays, and signed forms (row and file) only once their
   * keep-until has passed; a signed form without keep-until is never deleted. Conditional deletes:
   * two instances pruning at once delete each row once.
   */
  async prune(dryRun: boolean): Promise<PruneReport> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.config.forms.retention.draftDays * 86_400_000);
    const drafts = await this.forms.staleDraftIds(cutoff);
    // A signed form whose upload is still queued stays until the insurer has answered.
    const expired = await this.forms.expiredSigned(now);
    if (dryRun) {
      return { dryRun, drafts, signed: expired.map((r) => r.id) };
    }
    const report: PruneReport = { dryRun, drafts: [], signed: [] };
    for (const id of drafts) {
      if (await this.deleteDraft(id, cutoff)) {
        report.drafts.push(id);
      }
    }
    for (const row of expired) {
      if (await this.deleteSigned(row, now)) {
        report.signed.push(row.id);
      }
    }
    if (report.drafts.length + report.signed.length > 0) {
      this.logger.log(
        `forms retention: deleted ${report.drafts.length} draft(s) and ${report.signed.length} signed form(s) past keep-until`,
      );
    }
    return report;
  }

  private deleteDraft(id: string, cutoff: Date): Promise<boolean> {
    return this.transactions.run(async (m) => {
      if (!(await this.forms.deleteStaleDraft(id, cutoff, m))) {
        return false;
      }
      await this.audit.record(
        {
          actor: this.actor,
          action: 'forms.retention.delete',
          outcome: 'success',
          details: { formId: id, kind: 'draft' },
        },
        m,
      );
      return true;
    });
  }

  /** The row, then its file: a crash in between leaves an unreferenced file, never a row pointing at nothing. */
  private async deleteSigned(row: FormDocument, now: Date): Promise<boolean> {
    const deleted = await this.transactions.run(async (m) => {
      if (!(await this.forms.deleteExpired(row, now, m))) {
        return false;
      }
      await this.audit.record(
        {
          actor: this.actor,
          action: 'forms.retention.delete',
          outcome: 'success',
          details: {
            formId: row.id,
            formNo: row.formNo,
            version: row.version,
            keepUntil: row.keepUntil?.toISOString(),
          },
        },
        m,
      );
      return true;
    });
    if (deleted && row.filePath) {
      this.storage.remove(row.filePath);
    }
    return deleted;
  }
}

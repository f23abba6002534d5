import { Logger } from '@nestjs/common';
import { DataSource, In, IsNull, LessThan, Not } from 'typeorm';
import { AuditService } from '../platform/audit/audit.service';
import { Clock } from '../platform/clock';
import { GatewayConfig } from '../platform/config/gateway-config';
import { FormDocument, FormStatus } from './form-document.entity';
import { FormStorage } from './form-storage';

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

/** Forms retention: used by the forms module's interval job and by the CLI (`forms prune`). */
export class FormsRetention {
  private readonly logger = new Logger(FormsRetention.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: GatewayConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly storage: FormStorage,
  ) {}

  /**
   * Deletes drafts untouched for draftDays, and signed forms (row and file) only once their
   * keep-until has passed; a signed form without keep-until is never deleted. Conditional deletes:
   * two instances pruning at once delete each row once.
   */
  async prune(dryRun: boolean): Promise<PruneReport> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.config.forms.retention.draftDays * 86_400_000);
    const repo = this.dataSource.getRepository(FormDocument);
    const drafts = await repo.find({ where: { status: 'draft', updatedAt: LessThan(cutoff) }, select: { id: true } });
    const settledStatuses: FormStatus[] = ['signed', 'acknowledged', 'rejected'];
    // A signed form whose upload is still queued stays until the insurer has answered.
    const expired = (await repo.find({ where: { status: In(settledStatuses), keepUntil: LessThan(now) } })).filter(
      (r) => r.keepUntil !== null && r.keepUntil.getTime() < now.getTime() && !(r.status === 'signed' && r.outboxMessageId !== null),
    );
    const report: PruneReport = { dryRun, drafts: [], signed: [] };
    if (dryRun) {
      return { dryRun, drafts: drafts.map((d) => d.id), signed: expired.map((r) => r.id) };
    }
    const system = { type: 'system' as const, id: 'forms.retention' };
    for (const { id } of drafts) {
      await this.dataSource.transaction(async (m) => {
        const result = await m.delete(FormDocument, { id, status: 'draft', updatedAt: LessThan(cutoff) });
        if (result.affected === 1) {
          report.drafts.push(id);
          await this.audit.record({ actor: system, action: 'forms.retention.delete', outcome: 'success', details: { formId: id, kind: 'draft' } }, m);
        }
      });
    }
    for (const row of expired) {
      const deleted = await this.dataSource.transaction(async (m) => {
        const result = await m.delete(FormDocument, { id: row.id, status: row.status, keepUntil: LessThan(now), signedAt: Not(IsNull()) });
        if (result.affected !== 1) {
          return false;
        }
        await this.audit.record(
          { actor: system, action: 'forms.retention.delete', outcome: 'success', details: { formId: row.id, formNo: row.formNo, version: row.version, keepUntil: row.keepUntil?.toISOString() } },
          m,
        );
        return true;
      });
      if (deleted && row.filePath) {
        this.storage.remove(row.filePath);
        report.signed.push(row.id);
      } else if (deleted) {
        report.signed.push(row.id);
      }
    }
    if (report.drafts.length + report.signed.length > 0) {
      this.logger.log(`forms retention: deleted ${report.drafts.length} draft(s) and ${report.signed.length} signed form(s) past keep-until`);
    }
    return report;
  }
}

import { Injectable } from '@nestjs/common';
import { addDays, beijingDay } from '../../calendar/rules/working-days';
import { Clock, Transactions } from '../../platform';
import type {
  AuditResultDto,
  AuditResultSummaryDto,
  AuditVersionDto,
  MissingAuditResultDto,
} from './audit-results.dto';
import type { InsurerAuditResult } from './audit-results.entity';
import { AUDIT_RESULT_ERRORS } from './audit-results.errors';
import { AuditResultsRepository } from './audit-results.repository';
import { AUDIT_DAYS } from './audit-results.service';
import { daysBetween, overdueCutoff } from './rules/check-schedule';

/**
 * Use case: reading the insurer's audit results (R18) — one settlement's result with its deductions
 * and versions, the watched settlements, and those past the insurer's 30 days without a result.
 * AuditResultsService asks the insurer and records; this only reads.
 */
@Injectable()
export class AuditResultsReadingService {
  constructor(
    private readonly tx: Transactions,
    private readonly repository: AuditResultsRepository,
    private readonly clock: Clock,
  ) {}

  /** The audit result of one settlement: the latest version with its deductions, and every version. */
  async view(settlementId: string): Promise<AuditResultDto> {
    const m = this.tx.reader;
    const w = await this.repository.watch(m, settlementId);
    const today = beijingDay(this.clock.now());
    if (!w) {
      const s = await this.repository.settlement(m, settlementId);
      if (!s) {
        throw AUDIT_RESULT_ERRORS.raise('AUDIT_SETTLEMENT_NOT_FOUND');
      }
      if (!s.setlId || !s.settledAt || (s.status !== 'settled' && s.status !== 'cancelling')) {
        throw AUDIT_RESULT_ERRORS.raise('AUDIT_NOT_SETTLED');
      }
      const [unwatched] = await this.repository.unwatched(m, 1, settlementId);
      const dueOn = addDays(beijingDay(s.settledAt), AUDIT_DAYS);
      return {
        settlementId,
        setlId: s.setlId,
        visitId: unwatched?.mdtrtId ?? '',
        settledAt: s.settledAt.toISOString(),
        dueOn,
        state: 'unwatched',
        overdue: today > dueOn,
        closedReason: null,
        checks: 0,
        lastCheckedAt: null,
        nextCheckAt: null,
        lastError: null,
        result: null,
        deductions: [],
        versions: [],
      };
    }
    const results = await this.repository.results(m, settlementId);
    const latest = results.at(-1);
    const deductions = latest ? await this.repository.deductions(m, settlementId, latest.version) : [];
    return {
      settlementId,
      setlId: w.setlId,
      visitId: w.mdtrtId,
      settledAt: w.settledAt.toISOString(),
      dueOn: w.dueOn,
      state: w.state,
      overdue: latest === undefined && w.state !== 'closed' && today > w.dueOn,
      closedReason: w.closedReason,
      checks: w.checks,
      lastCheckedAt: w.lastCheckedAt?.toISOString() ?? null,
      nextCheckAt: w.nextCheckAt?.toISOString() ?? null,
      lastError: w.lastError,
      result: latest ? versionDto(latest) : null,
      deductions: deductions.map(
        ({ lineId, itemCode, itemName, lineAmountFen, lineFundFen, amountFen, reasonCode, reason }) => ({
          lineId,
          itemCode,
          itemName,
          lineAmountFen,
          lineFundFen,
          amountFen,
          reasonCode,
          reason,
        }),
      ),
      versions: results.map(versionDto),
    };
  }

  /** Settlements past the insurer's 30 days without a result (R18), oldest first. */
  async missing(page: { limit?: number; after?: string }): Promise<MissingAuditResultDto[]> {
    const today = beijingDay(this.clock.now());
    const rows = await this.repository.missing(this.tx.reader, overdueCutoff(today, AUDIT_DAYS), {
      limit: page.limit ?? 100,
      after: page.after,
    });
    return rows.map((r) => {
      const settledDay = beijingDay(r.settledAt);
      return {
        settlementId: r.settlementId,
        setlId: r.setlId,
        visitId: r.mdtrtId,
        kind: r.kind,
        settledAt: r.settledAt.toISOString(),
        dueOn: r.watch?.dueOn ?? addDays(settledDay, AUDIT_DAYS),
        daysSinceSettlement: daysBetween(settledDay, today),
        checks: r.watch?.checks ?? 0,
        lastCheckedAt: r.watch?.lastCheckedAt?.toISOString() ?? null,
        lastError: r.watch?.lastError ?? null,
      };
    });
  }

  /** Watched settlements, newest first, with their latest result. */
  async list(page: {
    limit?: number;
    before?: string;
    state?: 'pending' | 'done' | 'closed';
  }): Promise<AuditResultSummaryDto[]> {
    const m = this.tx.reader;
    const watches = await this.repository.list(m, { limit: page.limit ?? 100, before: page.before, state: page.state });
    const latest = await this.repository.latestResults(
      m,
      watches.map((w) => w.settlementId),
    );
    const today = beijingDay(this.clock.now());
    return watches.map((w) => {
      const r = latest.get(w.settlementId);
      return {
        settlementId: w.settlementId,
        setlId: w.setlId,
        visitId: w.mdtrtId,
        settledAt: w.settledAt.toISOString(),
        dueOn: w.dueOn,
        state: w.state,
        overdue: r === undefined && w.state !== 'closed' && today > w.dueOn,
        version: r?.version ?? null,
        deductedFen: r?.deductedFen ?? null,
        checks: w.checks,
        lastError: w.lastError,
      };
    });
  }
}

function versionDto(r: InsurerAuditResult): AuditVersionDto {
  return {
    version: r.version,
    auditedAt: r.auditedAt.toISOString(),
    fetchedAt: r.fetchedAt.toISOString(),
    msgid: r.msgid,
    fundFen: r.fundFen,
    deductedFen: r.deductedFen,
    approvedFen: r.approvedFen,
    deductionCount: r.deductionCount,
  };
}

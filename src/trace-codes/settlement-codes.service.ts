import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, type Principal, Transactions } from '../platform';
import { DispensingLineRepository, type LineRow } from './dispensing-line.repository';
import { TraceCodeUseRepository } from './trace-code-use.repository';
import type { CompletenessDto, FeeLineCodesDto } from './trace-codes.dto';
import { TRACE_CODE_ERRORS, TRACE_MESSAGES } from './trace-codes.errors';
import { toCompleteness, toFeeLineCodes } from './trace-codes.mapper';

/**
 * What settlement needs from trace codes: whether a visit's lines hold their codes, the codes per
 * fee line in the upload's shape (2207 / 2304 feedetail), and marking them carried once the insurer
 * accepted the settlement. Settlement calls these inside its own transaction where it passes `manager`.
 */
@Injectable()
export class SettlementCodesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    private readonly lines: DispensingLineRepository,
    private readonly uses: TraceCodeUseRepository,
  ) {}

  /** Per line: codes held / needed and status; the lines still missing codes. */
  async completeness(visitId: string, manager: EntityManager = this.transactions.reader): Promise<CompletenessDto> {
    return toCompleteness(visitId, await this.declaredLines(manager, visitId));
  }

  /** The visit's lines with their codes, in the shape of the settlement's fee lines (feedetail). */
  async feeLines(visitId: string, manager: EntityManager = this.transactions.reader): Promise<FeeLineCodesDto[]> {
    const lines = await this.declaredLines(manager, visitId);
    const codes = await this.uses.codesOfLines(
      manager,
      lines.map((l) => l.id),
    );
    return lines.map((l) => toFeeLineCodes(l, codes.get(l.id) ?? []));
  }

  /** Called by settlement in its own transaction once the insurer accepted the settlement `setlId`. */
  async markUploaded(visitId: string, setlId: string, manager: EntityManager, actor: Principal): Promise<number> {
    const n = await this.uses.markVisitUploaded(manager, visitId, setlId);
    await this.audit.record(
      { actor, action: 'trace-codes.uploaded', outcome: 'success', details: { visitId, setlId, count: n } },
      manager,
    );
    return n;
  }

  /**
   * Called by settlement in its own transaction once the insurer cancelled the settlement `setlId`:
   * the codes it carried are pending again, so the visit's next settlement uploads them (a code
   * returned meanwhile is cancelled instead). Idempotent: a second call releases nothing.
   */
  async releaseUploaded(
    visitId: string,
    setlId: string,
    manager: EntityManager,
    actor: Principal,
  ): Promise<{ pending: number; cancelled: number }> {
    const released = await this.uses.releaseVisitUploaded(manager, visitId, setlId);
    await this.audit.record(
      { actor, action: 'trace-codes.upload-released', outcome: 'success', details: { visitId, setlId, ...released } },
      manager,
    );
    return released;
  }

  private async declaredLines(m: EntityManager, visitId: string): Promise<LineRow[]> {
    const lines = await this.lines.ofVisit(m, visitId);
    if (lines.length === 0) {
      throw TRACE_CODE_ERRORS.raise('TRACE_VISIT_NOT_FOUND', { message: TRACE_MESSAGES.visitNotFound(visitId) });
    }
    return lines;
  }
}

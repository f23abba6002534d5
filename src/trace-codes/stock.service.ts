import { Injectable } from '@nestjs/common';
import { AuditService, Clock, type Principal, Transactions, uuidv7 } from '../platform';
import { byCode, judgeStockCodes } from './rules/request-judgement';
import { planReturn, planScrap, SCRAPPABLE } from './rules/stock-rules';
import { DispensingLineRepository } from './dispensing-line.repository';
import { TraceCodeRepository } from './trace-code.repository';
import { TraceCodeUseRepository } from './trace-code-use.repository';
import type { ReceiptResultDto, ReturnResultDto, ScrapResultDto } from './trace-codes.dto';
import { TRACE_CODE_ERRORS, TRACE_MESSAGES } from './trace-codes.errors';

/** Where a return names the line whose use ends (needed for a box split-open on several lines). */
export interface ReturnLine {
  visitId?: string;
  lineNo?: string;
}

/**
 * The life of boxes outside capture: stock-in (received), returns (退药: the use ends, the box is back
 * in stock once no use of it is open) and scraps (报损: final). Each request is all or nothing.
 */
@Injectable()
export class StockService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly lines: DispensingLineRepository,
    private readonly codes: TraceCodeRepository,
    private readonly uses: TraceCodeUseRepository,
  ) {}

  /** Stock-in: boxes become known as received. Boxes already known are left as they are. */
  async receive(principal: Principal, texts: readonly string[]): Promise<ReceiptResultDto> {
    const drugs = judgeStockCodes(texts, this.clock.now(), false);
    const operationId = uuidv7();
    const now = this.clock.now();
    return this.transactions.run(async (m) => {
      const alreadyKnown = (await this.codes.insertNew(m, byCode(drugs), 'received', now)).size;
      const received = drugs.length - alreadyKnown;
      await this.audit.record(
        {
          actor: principal,
          action: 'trace-codes.receive',
          outcome: 'success',
          details: { operationId, count: received, alreadyKnown },
        },
        m,
      );
      return { operationId, received, alreadyKnown };
    });
  }

  /**
   * A return (退药): ends the use of each box and cancels its pending upload. All or nothing.
   * A box opened for split dispensing may be open on several lines: the return then names the line
   * (`on`), and ends only that line's use. A box is back in stock (returned, may be dispensed again)
   * once no use of it is open; a scrapped box stays scrapped.
   */
  async returnCodes(
    principal: Principal,
    texts: readonly string[],
    reason: string,
    on?: ReturnLine,
  ): Promise<ReturnResultDto> {
    if ((on?.visitId === undefined) !== (on?.lineNo === undefined)) {
      throw TRACE_CODE_ERRORS.raise('TRACE_RETURN_LINE_REQUIRED');
    }
    const codes = judgeStockCodes(texts, this.clock.now(), true).map((x) => x.code);
    const operationId = uuidv7();
    const now = this.clock.now();
    return this.transactions.run(async (m) => {
      const line =
        on?.visitId !== undefined && on.lineNo !== undefined
          ? await this.lines.lockDeclared(m, on.visitId, on.lineNo)
          : undefined;
      // Locked first: uses are only added under this lock, so the open uses read next stay as read.
      const states = await this.codes.lockStates(m, codes);
      const { plan, refusal } = planReturn(codes, states, await this.uses.activeByCode(m, codes), line);
      if (refusal) {
        throw refusal;
      }
      const ended = await this.uses.end(
        m,
        plan.ending.map((u) => u.useId),
        reason,
        now,
      );
      const moved = await this.codes.move(m, plan.freed, ['dispensed', 'split-open'], 'returned', now);
      if (ended !== plan.ending.length || moved !== plan.freed.length) {
        throw TRACE_CODE_ERRORS.raise('TRACE_CODE_NOT_DISPENSED', { message: TRACE_MESSAGES.returnedMeanwhile });
      }
      for (const [lineId, n] of plan.perLine) {
        await this.lines.addToCount(m, lineId, -n, now);
      }
      const { uploadsCancelled, alreadyUploaded, stillOpen } = plan;
      const where = line ? { visitId: line.visitId, lineNo: line.lineNo } : {};
      const details = {
        operationId,
        reason,
        count: codes.length,
        ...where,
        uploadsCancelled,
        alreadyUploaded: alreadyUploaded.length,
        stillOpen,
        codes: codes.slice(0, 100),
      };
      await this.audit.record({ actor: principal, action: 'trace-codes.return', outcome: 'success', details }, m);
      return { operationId, returned: codes.length, uploadsCancelled, alreadyUploaded, stillOpen };
    });
  }

  /**
   * A scrap (报损): final. A box not known yet is recorded scrapped; a box dispensed whole must be
   * returned first; a split-open box is scrapped at once, its open split uses staying as they are
   * (the portions already dispensed went to patients and are reported; no new line can take the box).
   */
  async scrap(principal: Principal, texts: readonly string[], reason: string): Promise<ScrapResultDto> {
    const drugs = byCode(judgeStockCodes(texts, this.clock.now(), true));
    const operationId = uuidv7();
    const now = this.clock.now();
    return this.transactions.run(async (m) => {
      const known = [...(await this.codes.insertNew(m, drugs, 'scrapped', now))].sort();
      const { movable, refusal } = planScrap(known, await this.codes.lockStates(m, known));
      if (refusal) {
        throw refusal;
      }
      const moved = await this.codes.move(m, movable, SCRAPPABLE, 'scrapped', now);
      if (moved !== movable.length) {
        throw TRACE_CODE_ERRORS.raise('TRACE_CODE_DISPENSED', { message: TRACE_MESSAGES.takenMeanwhile });
      }
      const details = { operationId, reason, count: drugs.length, codes: drugs.slice(0, 100).map((x) => x.code) };
      await this.audit.record({ actor: principal, action: 'trace-codes.scrap', outcome: 'success', details }, m);
      return { operationId, scrapped: drugs.length };
    });
  }
}

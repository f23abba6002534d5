import { Injectable } from '@nestjs/common';
import { AuditService, Clock, type Principal, Transactions } from '../platform';
import { duplicateLineRefusal, lineChange } from './rules/line-rules';
import { DispensingLineRepository } from './dispensing-line.repository';
import type { CompletenessDto, LineDto } from './trace-codes.dto';
import { toCompleteness } from './trace-codes.mapper';

/** The dispensing lines HIS declares for a visit: one drug item of one prescription each. */
@Injectable()
export class DispensingLinesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly lines: DispensingLineRepository,
  ) {}

  /** Declares or updates lines of a visit. A quantity below the codes held, or a new drug on a line with codes, is refused. */
  async declareLines(principal: Principal, visitId: string, lines: readonly LineDto[]): Promise<CompletenessDto> {
    const duplicate = duplicateLineRefusal(lines);
    if (duplicate) {
      throw duplicate;
    }
    const now = this.clock.now();
    await this.transactions.run(async (m) => {
      const changed: string[] = [];
      for (const l of lines) {
        const next = { ...l, splitPackage: l.splitPackage ?? false };
        // Insert-if-absent, then lock: two instances declaring the same new line both end up updating one row.
        await this.lines.insertIfAbsent(m, visitId, next, `${principal.type}:${principal.id}`, now);
        const stored = await this.lines.lockDeclared(m, visitId, l.lineNo);
        const change = lineChange(stored, next);
        if (change === 'unchanged') {
          continue;
        }
        if (change !== 'change') {
          throw change;
        }
        await this.lines.update(m, stored.id, next, now);
        changed.push(l.lineNo);
      }
      await this.audit.record(
        {
          actor: principal,
          action: 'trace-codes.lines',
          outcome: 'success',
          details: { visitId, lines: lines.map((l) => l.lineNo), changed },
        },
        m,
      );
    });
    return toCompleteness(visitId, await this.lines.ofVisit(this.transactions.reader, visitId));
  }
}

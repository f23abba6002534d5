import { Injectable } from '@nestjs/common';
import { AuditService, Clock, DEFAULT_PAGE_SIZE, type Principal, Transactions } from '../platform';
import type { DifferenceListQueryDto, ResolveDifferenceDto, SettlementDifferenceDto } from './differences.dto';
import { SettlementDifferenceRepository } from './settlement-difference.repository';
import { SETTLEMENT_ERRORS } from './settlement.errors';
import { toDifferenceDto } from './settlement.mapper';

/**
 * Use case: the list of amounts to collect from or refund to workers after settlements made while
 * the insurer was away (GET …/differences), and their resolution by staff (open → done, audited).
 */
@Injectable()
export class DifferencesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly differences: SettlementDifferenceRepository,
  ) {}

  async list(query: DifferenceListQueryDto): Promise<SettlementDifferenceDto[]> {
    const rows = await this.differences.list(this.transactions.reader, {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      before: query.before,
      state: query.state,
    });
    return rows.map(toDifferenceDto);
  }

  /** Marks it done (who collected or refunded, and how); 404 unknown, 409 already done. */
  async resolve(principal: Principal, id: string, request: ResolveDifferenceDto): Promise<SettlementDifferenceDto> {
    await this.transactions.run(async (m) => {
      const row = await this.differences.byId(m, id);
      if (!row) {
        throw SETTLEMENT_ERRORS.raise('SETTLEMENT_DIFFERENCE_NOT_FOUND');
      }
      const by = `${request.staff} (${principal.type}:${principal.id})`.slice(0, 100);
      if (!(await this.differences.resolve(m, id, by, request.note, this.clock.now()))) {
        throw SETTLEMENT_ERRORS.raise('SETTLEMENT_DIFFERENCE_RESOLVED');
      }
      await this.audit.record(
        {
          actor: principal,
          action: 'settlement.difference-resolved',
          outcome: 'success',
          details: {
            differenceId: id,
            settlementId: row.settlementId,
            visitId: row.mdtrtId,
            direction: row.direction,
            differenceFen: row.differenceFen,
            staff: request.staff,
            note: request.note,
          },
        },
        m,
      );
    });
    const after = await this.differences.byId(this.transactions.reader, id);
    return toDifferenceDto(after as NonNullable<typeof after>);
  }
}

import { Injectable } from '@nestjs/common';
import { AuditService, Clock, type Principal, Transactions } from '../platform';
import { ProductMappingRepository } from './product-mapping.repository';
import type { MappingDto, MappingViewDto } from './trace-codes.dto';
import { toMappingView } from './trace-codes.mapper';

/** The most mappings one listing answers. */
const LIST_LIMIT = 1000;

/** Drug product (first 7 digits, or GTIN) → insurer catalogue code: what the drug-fit check of a capture reads. */
@Injectable()
export class ProductMappingsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly mappings: ProductMappingRepository,
  ) {}

  /** Inserts or replaces mappings; answers how many were sent. */
  async upsert(principal: Principal, mappings: readonly MappingDto[]): Promise<number> {
    const now = this.clock.now();
    const updatedBy = `${principal.type}:${principal.id}`;
    await this.transactions.run(async (m) => {
      await this.mappings.save(
        m,
        mappings.map((x) => ({
          productCode: x.productCode,
          medListCode: x.medListCode,
          drugName: x.drugName ?? null,
          updatedBy,
          updatedAt: now,
        })),
      );
      await this.audit.record(
        { actor: principal, action: 'trace-codes.mappings', outcome: 'success', details: { count: mappings.length } },
        m,
      );
    });
    return mappings.length;
  }

  /** Mappings, optionally of one product (the first 1000). */
  async list(productCode?: string): Promise<MappingViewDto[]> {
    return (await this.mappings.list(this.transactions.reader, productCode, LIST_LIMIT)).map(toMappingView);
  }
}

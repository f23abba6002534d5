import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sqlChunks, SqlDialect } from '../platform';
import { ProductMapping } from './trace-codes.entity';
import { CHUNK } from './trace-code.repository';

/** trace_product_map: which insurer catalogue code(s) a drug product belongs to (the drug-fit check). */
@Injectable()
export class ProductMappingRepository {
  /** Product → catalogue codes for these product codes (those without a mapping are absent). */
  async catalogueCodesOf(m: EntityManager, productCodes: readonly string[]): Promise<Map<string, Set<string>>> {
    const d = SqlDialect.of(m);
    const out = new Map<string, Set<string>>();
    for (const chunk of sqlChunks(productCodes, CHUNK)) {
      const { rows } = await d.run(
        m,
        `SELECT product_code AS "productCode", med_list_code AS "medListCode" FROM trace_product_map WHERE product_code IN (${d.list(chunk.length)})`,
        chunk,
      );
      for (const r of rows) {
        const set = out.get(String(r.productCode)) ?? new Set<string>();
        set.add(String(r.medListCode));
        out.set(String(r.productCode), set);
      }
    }
    return out;
  }

  /** Inserts or replaces mappings (keyed by product and catalogue code). */
  async save(m: EntityManager, mappings: readonly ProductMapping[]): Promise<void> {
    await m.getRepository(ProductMapping).save([...mappings]);
  }

  /** Mappings, optionally of one product, by product then catalogue code; at most `limit`. */
  async list(m: EntityManager, productCode: string | undefined, limit: number): Promise<ProductMapping[]> {
    return m.getRepository(ProductMapping).find({
      where: productCode ? { productCode } : {},
      order: { productCode: 'ASC', medListCode: 'ASC' },
      take: limit,
    });
  }
}

import { Injectable } from '@nestjs/common';
import { DEFAULT_PAGE_SIZE, Transactions } from '../platform';
import { CatalogueItemRepository } from './catalogue-item.repository';
import { CatalogueVersionRepository } from './catalogue-version.repository';
import type { CatalogueItemDetailDto, CatalogueItemDto, CatalogueVersionDto } from './catalogue.dto';
import { SETTLEMENT_ERRORS, SETTLEMENT_MESSAGES } from './settlement.errors';
import { toItemDto, toVersionDto } from './settlement.mapper';

/**
 * Use case: read the catalogue mapping. `currentMapping` is what settlement asks (HIS item codes →
 * insurer catalogue codes of the current version); the versions and a code's history are for staff
 * and auditors. Versions never change, so a lookup that reads the pointer and then the items stays
 * consistent even while an import moves the pointer.
 */
@Injectable()
export class CatalogueMappingService {
  constructor(
    private readonly transactions: Transactions,
    private readonly versions: CatalogueVersionRepository,
    private readonly items: CatalogueItemRepository,
  ) {}

  /**
   * HIS code → its item in the current version, for the codes that version lists (an item with
   * `medListCode` null is listed but not mapped: not paid). Empty before the first import.
   */
  async currentMapping(hisCodes: readonly string[]): Promise<Map<string, CatalogueItemDto>> {
    const reader = this.transactions.reader;
    const current = await this.versions.current(reader);
    if (!current || hisCodes.length === 0) {
      return new Map();
    }
    const rows = await this.items.ofCodes(reader, current.id, hisCodes);
    return new Map(rows.map((r) => [r.hisCode, toItemDto(r, current)]));
  }

  /** Versions, newest first. */
  async listVersions(limit = DEFAULT_PAGE_SIZE, before?: string): Promise<CatalogueVersionDto[]> {
    const reader = this.transactions.reader;
    const current = await this.versions.current(reader);
    return (await this.versions.list(reader, limit, before)).map((v) => toVersionDto(v, current?.id ?? null));
  }

  /** A HIS code in the current version and in every version that lists it; 404 when none does. */
  async item(hisCode: string): Promise<CatalogueItemDetailDto> {
    const reader = this.transactions.reader;
    const current = await this.versions.current(reader);
    const history = await this.items.historyOf(reader, hisCode);
    if (history.length === 0) {
      throw SETTLEMENT_ERRORS.raise('CATALOGUE_ITEM_NOT_FOUND', { message: SETTLEMENT_MESSAGES.itemNotFound(hisCode) });
    }
    const inCurrent = history.find((h) => h.item.versionId === current?.id);
    return {
      hisCode,
      current: inCurrent ? toItemDto(inCurrent.item, inCurrent) : null,
      history: history.map((h) => toItemDto(h.item, h)),
    };
  }
}

import type { DataSource } from 'typeorm';
import { type AuditService, type Clock, Transactions } from '../platform';
import { CatalogueImportService } from './catalogue-import.service';
import { CatalogueItemRepository } from './catalogue-item.repository';
import { CatalogueMappingService } from './catalogue-mapping.service';
import { CatalogueVersionRepository } from './catalogue-version.repository';

/** The catalogue mapping outside Nest (`gateway catalogue …`), wired from the same parts SettlementModule provides. */
export function catalogueServicesOn(
  dataSource: DataSource,
  clock: Clock,
  audit: AuditService,
): { imports: CatalogueImportService; mapping: CatalogueMappingService } {
  const transactions = new Transactions(dataSource);
  const versions = new CatalogueVersionRepository();
  const items = new CatalogueItemRepository();
  return {
    imports: new CatalogueImportService(transactions, clock, audit, versions, items),
    mapping: new CatalogueMappingService(transactions, versions, items),
  };
}

import { Module } from '@nestjs/common';
import { CatalogueImportService } from './catalogue-import.service';
import { CatalogueItemRepository } from './catalogue-item.repository';
import { CatalogueMappingService } from './catalogue-mapping.service';
import { CatalogueVersionRepository } from './catalogue-version.repository';
import { SettlementController } from './settlement.controller';

/** The repositories: one per table group, all the capability's SQL. */
const REPOSITORIES = [CatalogueVersionRepository, CatalogueItemRepository];
/** The use cases. */
const SERVICES = [CatalogueImportService, CatalogueMappingService];

/**
 * Settlement (即时结算, 办法 25). Its first part: the catalogue mapping (编码比对, 协议 19), HIS item
 * codes → the insurer's catalogue codes, versioned. Settlement reads it through
 * CatalogueMappingService.currentMapping.
 */
@Module({
  controllers: [SettlementController],
  providers: [...REPOSITORIES, ...SERVICES],
  exports: [CatalogueMappingService],
})
export class SettlementModule {}

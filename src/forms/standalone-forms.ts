import type { DataSource } from 'typeorm';
import { type AuditService, type Clock, type GatewayConfig, Transactions } from '../platform';
import { FormDocumentRepository } from './form-document.repository';
import { FormRetentionService } from './form-retention.service';
import { FormStorageService } from './form-storage.service';

/** Forms retention outside Nest (`gateway forms prune`), wired from the same parts FormsModule provides. */
export function formRetentionOn(
  dataSource: DataSource,
  config: GatewayConfig,
  clock: Clock,
  audit: AuditService,
): FormRetentionService {
  return new FormRetentionService(
    new FormDocumentRepository(dataSource),
    new Transactions(dataSource),
    config,
    clock,
    audit,
    FormStorageService.fromConfig(config),
  );
}

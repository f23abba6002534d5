import type { DataSource } from 'typeorm';
import { type AuditService, type Clock, type GatewayConfig, type PiiCryptoService, Transactions } from '../../platform';
import { exportUndelivered, type MonthEndExport } from './month-end-export';
import { MsgidAllocator } from './msgid-allocator';
import { MsgidSequenceRepository } from './msgid-sequence.repository';
import { OutboxMessageRepository } from './outbox-message.repository';
import { OutboxService } from './outbox.service';

/** The outbox outside Nest (the CLI, tests, benches), wired from the same parts UpstreamModule provides. */
export function standaloneOutbox(
  dataSource: DataSource,
  config: GatewayConfig,
  clock: Clock,
  audit: AuditService,
  pii: PiiCryptoService,
): OutboxService {
  const sequences = new MsgidSequenceRepository(dataSource);
  return new OutboxService(
    new Transactions(dataSource),
    new OutboxMessageRepository(dataSource, pii),
    sequences,
    new MsgidAllocator(sequences),
    config,
    clock,
    audit,
  );
}

/** The month-end export of undelivered settlement messages outside Nest (`gateway outbox export`). */
export function exportUndeliveredOn(
  dataSource: DataSource,
  month: string,
  outDir: string,
  now: Date,
  pii: PiiCryptoService,
): Promise<MonthEndExport> {
  return exportUndelivered(new OutboxMessageRepository(dataSource, pii), month, outDir, now);
}

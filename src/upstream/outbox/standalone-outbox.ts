import type { DataSource } from 'typeorm';
import type { AuditService } from '../../platform/audit/audit.service';
import type { Clock } from '../../platform/clock';
import type { GatewayConfig } from '../../platform/config/gateway-config';
import { Transactions } from '../../platform/database/transactions';
import { MsgidAllocator } from './msgid-allocator';
import { MsgidSequenceRepository } from './msgid-sequence.repository';
import { OutboxMessageRepository } from './outbox-message.repository';
import { OutboxService } from './outbox.service';

/** The outbox outside Nest (the CLI, tests, benches), wired from the same parts UpstreamModule provides. */
export function standaloneOutbox(dataSource: DataSource, config: GatewayConfig, clock: Clock, audit: AuditService): OutboxService {
  const sequences = new MsgidSequenceRepository(dataSource);
  return new OutboxService(new Transactions(dataSource), new OutboxMessageRepository(dataSource), sequences, new MsgidAllocator(sequences), config, clock, audit);
}

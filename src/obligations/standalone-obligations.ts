import type { DataSource } from 'typeorm';
import type { Obligation } from './obligation.entity';
import { type ObligationFilter, ObligationRepository } from './obligation.repository';

/** The duties with deadlines outside Nest (the CLI, with the gateway stopped): read-only. */
export function listObligationsOn(dataSource: DataSource, filter: ObligationFilter): Promise<Obligation[]> {
  return new ObligationRepository().list(dataSource.manager, filter);
}

import type { GatewayFeature } from '../platform';
import { SettlementCatalogue1764547200000 } from './migrations/1764547200000-SettlementCatalogue';
import { SETTLEMENT_ENTITIES } from './settlement.entity';
import { SETTLEMENT_ERRORS } from './settlement.errors';

export const SETTLEMENT_FEATURE: GatewayFeature = {
  name: 'settlement',
  entities: SETTLEMENT_ENTITIES,
  migrations: [SettlementCatalogue1764547200000],
  errors: [SETTLEMENT_ERRORS],
};

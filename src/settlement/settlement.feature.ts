import type { GatewayConfig, GatewayFeature } from '../platform';
import { SettlementCatalogue1764547200000 } from './migrations/1764547200000-SettlementCatalogue';
import { SettlementVisits1764633600000 } from './migrations/1764633600000-SettlementVisits';
import { SettlementRecords1764720000000 } from './migrations/1764720000000-SettlementRecords';
import { SettlementDesk1764806400000 } from './migrations/1764806400000-SettlementDesk';
import { SettlementConversion1764892800000 } from './migrations/1764892800000-SettlementConversion';
import { CONVERSION_ENTITIES } from './conversion.entity';
import { SettlementProvisional1764979200000 } from './migrations/1764979200000-SettlementProvisional';
import { SettlementDifferenceRow } from './settlement-difference.entity';
import { SettlementReview1765065600000 } from './migrations/1765065600000-SettlementReview';
import { SettlementConfig } from './settlement.config';
import { SETTLEMENT_ENTITIES } from './settlement.entity';
import { SETTLEMENT_ERRORS } from './settlement.errors';
import { personKeyLookup } from '../identity/person-key';
import { SELF_PAID_PII_CONTEXT } from './self-paid-visits.service';
import { WORKER_PII_CONTEXT } from './settle.service';

export const SETTLEMENT_FEATURE: GatewayFeature = {
  name: 'settlement',
  entities: [...SETTLEMENT_ENTITIES, SettlementDifferenceRow, ...CONVERSION_ENTITIES],
  migrations: [
    SettlementCatalogue1764547200000,
    SettlementVisits1764633600000,
    SettlementRecords1764720000000,
    SettlementDesk1764806400000,
    SettlementConversion1764892800000,
    SettlementProvisional1764979200000,
    SettlementReview1765065600000,
  ],
  config: [{ key: 'settlement', type: SettlementConfig }],
  piiColumns: [
    {
      table: 'settlement_self_paid_visit',
      idColumn: 'visit_id',
      column: 'person_enc',
      context: SELF_PAID_PII_CONTEXT,
      lookup: personKeyLookup('person_key'),
    },
    { table: 'settlement_record', idColumn: 'id', column: 'worker_enc', context: WORKER_PII_CONTEXT },
  ],
  checkConfig: (config: GatewayConfig) => {
    const s = config.settlement;
    return s.statementRequiredOverDays > s.maxDaysOfSupply
      ? {
          issues: [
            {
              key: 'settlement.statementRequiredOverDays',
              value: s.statementRequiredOverDays,
              expected: `at most settlement.maxDaysOfSupply (${s.maxDaysOfSupply})`,
            },
          ],
          warnings: [],
        }
      : { issues: [], warnings: [] };
  },
  errors: [SETTLEMENT_ERRORS],
};

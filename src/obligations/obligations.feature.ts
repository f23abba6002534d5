import type { GatewayFeature } from '../platform';
import { OBLIGATION_ENTITIES } from './obligation.entity';
import { OBLIGATION_ERRORS } from './obligations.errors';
import { Obligations1765152000000 } from './migrations/1765152000000-Obligations';
import { CROSS_PROVINCE_ERRORS } from './cross-province/cross-province.errors';
import { VisitCareType1765238400000 } from './cross-province/migrations/1765238400000-VisitCareType';

/** The duties with deadlines: their tables, migrations and error codes (docs/obligations.md). */
export const OBLIGATIONS_FEATURE: GatewayFeature = {
  name: 'obligations',
  entities: [...OBLIGATION_ENTITIES],
  migrations: [Obligations1765152000000, VisitCareType1765238400000],
  errors: [OBLIGATION_ERRORS, CROSS_PROVINCE_ERRORS],
};

import type { GatewayFeature } from '../platform';
import { OBLIGATION_ENTITIES } from './obligation.entity';
import { OBLIGATION_ERRORS } from './obligations.errors';
import { Obligations1765152000000 } from './migrations/1765152000000-Obligations';

/** The duties with deadlines: their tables, migrations and error codes (docs/obligations.md). */
export const OBLIGATIONS_FEATURE: GatewayFeature = {
  name: 'obligations',
  entities: [...OBLIGATION_ENTITIES],
  migrations: [Obligations1765152000000],
  errors: [OBLIGATION_ERRORS],
};

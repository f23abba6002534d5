import type { GatewayFeature } from '../platform';
import { TraceCodes1764374400000 } from './migrations/1764374400000-TraceCodes';
import { TRACE_CODE_ENTITIES } from './trace-codes.entity';
import { TRACE_CODE_ERRORS } from './trace-codes.errors';

export const TRACE_CODES_FEATURE: GatewayFeature = {
  name: 'trace-codes',
  entities: TRACE_CODE_ENTITIES,
  migrations: [TraceCodes1764374400000],
  errors: [TRACE_CODE_ERRORS],
};

import type { GatewayFeature } from '../platform';
import { CoverageCacheEntry, IdentitySession } from './identity-session.entity';
import { IdentityConfig } from './identity.config';
import { Identity1764288000000 } from './migrations/1764288000000-Identity';
import { IDENTITY_ERRORS } from './identity.errors';

export const IDENTITY_FEATURE: GatewayFeature = {
  name: 'identity',
  entities: [IdentitySession, CoverageCacheEntry],
  migrations: [Identity1764288000000],
  config: [{ key: 'identity', type: IdentityConfig }],
  errors: [IDENTITY_ERRORS],
};

import type { GatewayFeature } from '../platform';
import { CoverageCacheEntry, IdentitySession } from './identity-session.entity';
import { IdentityConfig } from './identity.config';
import { Identity1764288000000 } from './migrations/1764288000000-Identity';
import { IDENTITY_ERRORS } from './identity.errors';
import { CACHE_CONTEXT } from './coverage-cache.repository';
import { personKeyLookup } from './person-key';
import { EVIDENCE_CONTEXT } from './session-evidence';

export const IDENTITY_FEATURE: GatewayFeature = {
  name: 'identity',
  entities: [IdentitySession, CoverageCacheEntry],
  migrations: [Identity1764288000000],
  config: [{ key: 'identity', type: IdentityConfig }],
  errors: [IDENTITY_ERRORS],
  piiColumns: [
    {
      table: 'identity_session',
      idColumn: 'id',
      column: 'evidence',
      context: EVIDENCE_CONTEXT,
      lookup: personKeyLookup('subject_key'),
    },
    {
      table: 'identity_coverage_cache',
      idColumn: 'subject_key',
      column: 'answer',
      context: CACHE_CONTEXT,
      lookup: personKeyLookup('subject_key'),
    },
  ],
};

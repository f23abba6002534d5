import type { GatewayFeature } from '../platform';
import { OBLIGATION_ENTITIES } from './obligation.entity';
import { OBLIGATION_ERRORS } from './obligations.errors';
import { Obligations1765152000000 } from './migrations/1765152000000-Obligations';
import { INPATIENT_DOCUMENT_ENTITIES } from './documents/inpatient-document.entity';
import { DOCUMENT_ERRORS } from './documents/inpatient-documents.errors';
import { InpatientDocuments1765324800000 } from './documents/migrations/1765324800000-InpatientDocuments';

/** The duties with deadlines: their tables, migrations and error codes (docs/obligations.md). */
export const OBLIGATIONS_FEATURE: GatewayFeature = {
  name: 'obligations',
  entities: [...OBLIGATION_ENTITIES, ...INPATIENT_DOCUMENT_ENTITIES],
  migrations: [Obligations1765152000000, InpatientDocuments1765324800000],
  errors: [OBLIGATION_ERRORS, DOCUMENT_ERRORS],
};

import type { GatewayFeature } from '../platform';
import { OBLIGATION_ENTITIES } from './obligation.entity';
import { OBLIGATION_ERRORS } from './obligations.errors';
import { Obligations1765152000000 } from './migrations/1765152000000-Obligations';
import { CROSS_PROVINCE_ERRORS } from './cross-province/cross-province.errors';
import { VisitCareType1765238400000 } from './cross-province/migrations/1765238400000-VisitCareType';
import { DECLARATION_ENTITIES } from './declaration/declaration.entity';
import { DECLARATION_ERRORS } from './declaration/declaration.errors';
import { ObligationsDeclaration1765411200000 } from './declaration/migrations/1765411200000-ObligationsDeclaration';
import { AUDIT_RESULTS_PART } from './audit-results/audit-results.feature';
import { INPATIENT_DOCUMENT_ENTITIES } from './documents/inpatient-document.entity';
import { DOCUMENT_ERRORS } from './documents/inpatient-documents.errors';
import { InpatientDocuments1765324800000 } from './documents/migrations/1765324800000-InpatientDocuments';

/** The duties with deadlines: their tables, migrations and error codes (docs/obligations.md). */
export const OBLIGATIONS_FEATURE: GatewayFeature = {
  name: 'obligations',
  entities: [
    ...OBLIGATION_ENTITIES,
    ...DECLARATION_ENTITIES,
    ...AUDIT_RESULTS_PART.entities,
    ...INPATIENT_DOCUMENT_ENTITIES,
  ],
  migrations: [
    Obligations1765152000000,
    VisitCareType1765238400000,
    InpatientDocuments1765324800000,
    ObligationsDeclaration1765411200000,
    ...AUDIT_RESULTS_PART.migrations,
  ],
  config: [...AUDIT_RESULTS_PART.config],
  checkConfig: (config) => AUDIT_RESULTS_PART.checkConfig(config),
  errors: [OBLIGATION_ERRORS, CROSS_PROVINCE_ERRORS, DECLARATION_ERRORS, ...AUDIT_RESULTS_PART.errors, DOCUMENT_ERRORS],
};

import type { GatewayConfig } from '../../platform';
import { AuditResultsConfig } from './audit-results.config';
import { AUDIT_RESULT_ENTITIES } from './audit-results.entity';
import { AUDIT_RESULT_ERRORS } from './audit-results.errors';
import { InsurerAuditResults1765497600000 } from './migrations/1765497600000-InsurerAuditResults';

/**
 * The audit results' tables, migration, config section and error codes — a part of the obligations
 * feature (src/obligations/obligations.feature.ts lists them).
 */
export const AUDIT_RESULTS_PART = {
  entities: AUDIT_RESULT_ENTITIES,
  migrations: [InsurerAuditResults1765497600000],
  config: [{ key: 'auditResults', type: AuditResultsConfig }],
  errors: [AUDIT_RESULT_ERRORS],
  checkConfig: (config: GatewayConfig) => {
    const a = config.auditResults;
    const issues =
      a.nearDueCheckIntervalHours > a.checkIntervalHours
        ? [
            {
              key: 'auditResults.nearDueCheckIntervalHours',
              value: a.nearDueCheckIntervalHours,
              expected: `at most auditResults.checkIntervalHours (${a.checkIntervalHours}): near the due day the insurer is asked more often, not less`,
            },
          ]
        : [];
    return { issues, warnings: [] };
  },
} as const;

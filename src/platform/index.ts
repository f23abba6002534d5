/**
 * The platform's public API: everything a capability (and the CLI, the composition root, tests of
 * capabilities) may import from `src/platform`. Import from here, never from a file inside platform/
 * (test/integration/module-boundaries.spec.ts checks it). Nothing in platform/ imports this file,
 * and platform/ imports no capability, so loading it cannot form a cycle.
 */

// Features: what a capability registers (tables, migrations, config sections, checks, errors).
export * from './gateway-feature';
export * from './platform.feature';
export * from './platform.module';

// Config.
export * from './config/gateway-config';
export * from './config/config-loader';
export * from './config/config-report';
export * from './config/config-secrets';
export * from './config/startup-config';
export * from './config/project-root';

// Time and ids.
export * from './clock';
export * from './beijing-time';
export * from './ids';

// Database: the unit of work, raw SQL for both databases, the data source for the CLI and tests.
export * from './database/transactions';
export * from './database/sql-dialect';
export * from './database/data-source';
export * from './database/database-url';
export * from './database/sqlite-gate';
export * from './database/database-errors';
export * from './database/migrations/column-types';

// Errors: catalogues, the DomainError family, the response body.
export * from './errors/error-catalogue';
export * from './errors/domain-error';
export * from './errors/error-body';
export * from './errors/global-exception.filter';
export * from './errors/validation';
export * from './platform.errors';

// Audit.
export * from './audit/audit-entry.entity';
export * from './audit/audit.service';
export * from './audit/audit.repository';
export * from './audit/audit.dto';
export * from './audit/audit-chain';
export * from './audit/audit-chain.repository';
export * from './audit/audit-chain.service';
export * from './audit/audit-chain.job';
export * from './audit/audit-retention';
export * from './audit/audit-walk';
export * from './audit/audit-verifier';
export * from './audit/audit-export';
export * from './audit/audit.health';

// Auth: decorators, principals, scopes, API keys.
export * from './auth/decorators';
export * from './auth/principal';
export * from './auth/request-principal';
export * from './auth/scopes';
export * from './auth/ip-allow-list';
export * from './auth/api-key-token';
export * from './auth/api-key.entity';
export * from './auth/api-key.service';
export * from './auth/client-certificates';
export * from './auth/api-key-cache';
export * from './auth/api-key.repository';
export * from './auth/api-key.dto';
export * from './auth/rate-limits';
export * from './auth/bad-key-throttle';
export * from './auth/request-limits';
export * from './auth/api-key-expiry-watch';

// Staff accounts and sessions (the console): roles, the cookie and CSRF rule, the directory seam.
export * from './staff/staff.entity';
export * from './staff/staff-roles';
export * from './staff/staff-cookie';
export * from './staff/staff-password';
export * from './staff/staff-directory';
export * from './staff/staff.service';
export * from './staff/staff-session.service';
export * from './staff/staff-user.repository';
export * from './staff/staff-session.repository';

// Personal data: encryption, keyring.
export * from './pii/pii-crypto.service';
export * from './pii/keyring';
export * from './pii/pii-columns';
export * from './pii/pii-reencryption.repository';
export * from './pii/pii-reencryption.service';
export * from './pii/pii-reencryption.job';

// Observability: metrics, health, logging.
export * from './metrics/metrics.service';
export * from './health/health.registry';
export * from './health/health.service';
export * from './logging/logger';
export * from './logging/pii-value-registry';
export * from './logging/redaction';

// Jobs.
export * from './jobs/job-runner';
export * from './jobs/job-schedule.repository';

// Several instances on one PostgreSQL: cross-instance locks and messages.
export * from './cluster/cluster-bus';
export * from './cluster/cluster-locks';
export * from './cluster/pg-listener';

// HTTP API helpers.
export * from './api/large-body';
export * from './api/page-query.dto';

// The web console's pages (dist/console), served beside the API.
export * from './web/console-pages';
export { secureTransport, tlsServerOptions, TlsSetupError } from './web/tls';

// Outside Nest (CLI commands, tests): the platform's services wired as PlatformModule wires them.
export * from './standalone';

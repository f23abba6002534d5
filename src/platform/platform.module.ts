import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AuditChainJob } from './audit/audit-chain.job';
import { AuditChainRepository } from './audit/audit-chain.repository';
import { AuditChainService } from './audit/audit-chain.service';
import { AuditController } from './audit/audit.controller';
import { AuditHealth } from './audit/audit.health';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { GatewayAuthGuard } from './auth/auth.guard';
import { ApiKeyCache } from './auth/api-key-cache';
import { ApiKeyRepository } from './auth/api-key.repository';
import { ApiKeyService } from './auth/api-key.service';
import { ApiKeyExpiryWatch } from './auth/api-key-expiry-watch';
import { BadKeyThrottle } from './auth/bad-key-throttle';
import { ClientCertificateCheck } from './auth/client-certificates';
import { ApiKeysController } from './auth/api-keys.controller';
import { Clock, SystemClock } from './clock';
import { ConfigController } from './config/config.controller';
import { GatewayConfig } from './config/gateway-config';
import { buildDataSourceOptions, initializeDataSource, runMigrations } from './database/data-source';
import { Transactions } from './database/transactions';
import { GlobalExceptionFilter } from './errors/global-exception.filter';
import { DatabaseHealth } from './health/database.health';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health.registry';
import { HealthService } from './health/health.service';
import { JobRunner } from './jobs/job-runner';
import { JobScheduleRepository } from './jobs/job-schedule.repository';
import { ClusterBus } from './cluster/cluster-bus';
import { ClusterHealth } from './cluster/cluster.health';
import { ClusterLocks } from './cluster/cluster-locks';
import { ClusterMessageRepository } from './cluster/cluster-message.repository';
import { PiiValueRegistry } from './logging/pii-value-registry';
import { redactUrl } from './logging/redaction';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { decodeKeyring, loadKeyring, readKeyringFile } from './pii/keyring';
import { KeyringRefresh } from './pii/keyring-refresh';
import { PiiCryptoService } from './pii/pii-crypto.service';
import { PiiColumnRegistry } from './pii/pii-columns';
import { PiiReencryptionJob } from './pii/pii-reencryption.job';
import { databaseSchema, featurePiiColumns, type GatewayFeature } from './gateway-feature';
import { LocalStaffDirectory, StaffDirectory } from './staff/staff-directory';
import { StaffSessionRepository } from './staff/staff-session.repository';
import { StaffSessionService } from './staff/staff-session.service';
import { StaffUserRepository } from './staff/staff-user.repository';
import { StaffController, StaffSessionController } from './staff/staff.controller';
import { StaffService } from './staff/staff.service';
import { StaffSandboxSeed } from './staff/staff-sandbox-seed';

export interface PlatformOptions {
  config: GatewayConfig;
  logger: PinoLogger;
  piiValues: PiiValueRegistry;
  /** The gateway's features (src/gateway.features.ts): their tables and migrations. */
  features: readonly GatewayFeature[];
  /** Replaces the system clock (tests). */
  clock?: Clock;
}

/** The id the gateway gave the request (see app.factory.ts genReqId). */
export function requestIdOf(req: IncomingMessage): string {
  return (req as IncomingMessage & { gwRequestId?: string }).gwRequestId ?? randomUUID();
}

/**
 * Config, database, logging, security, audit, health and metrics: what every capability
 * module builds on. Global, so capability modules inject these services without imports.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { config, logger } = options;
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            genReqId: (req: IncomingMessage) => requestIdOf(req),
            quietReqLogger: true,
            customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
              err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
            serializers: {
              req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
                id: req.id,
                method: req.method,
                url: redactUrl(req.url),
                remoteAddress: req.remoteAddress,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...buildDataSourceOptions(config.database, config.dataDir, databaseSchema(options.features)),
            retryAttempts: 3,
            retryDelay: 2000,
          }),
          dataSourceFactory: async (dsOptions?: DataSourceOptions) => {
            const dataSource = await initializeDataSource(new DataSource(dsOptions as DataSourceOptions));
            if (config.database.migrateOnStart) {
              const applied = await runMigrations(dataSource);
              if (applied.length > 0) {
                logger.info({ migrations: applied }, 'database migrations applied');
              }
            }
            return dataSource;
          },
        }),
      ],
      controllers: [
        HealthController,
        MetricsController,
        ApiKeysController,
        AuditController,
        StaffSessionController,
        StaffController,
        ConfigController,
      ],
      providers: [
        { provide: GatewayConfig, useValue: config },
        { provide: PiiValueRegistry, useValue: options.piiValues },
        { provide: PiiColumnRegistry, useValue: new PiiColumnRegistry(featurePiiColumns(options.features)) },
        PiiReencryptionJob,
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        {
          provide: PiiCryptoService,
          useFactory: () =>
            new PiiCryptoService(
              loadKeyring(config.pii),
              // An inline keyring (environment) cannot change while the process runs; a file can.
              config.pii.keyring ? undefined : () => decodeKeyring(readKeyringFile(config.pii.keyringFile)),
            ),
        },
        KeyringRefresh,
        Transactions,
        AuditRepository,
        AuditService,
        AuditChainRepository,
        AuditChainService,
        AuditChainJob,
        AuditHealth,
        ApiKeyRepository,
        ApiKeyCache,
        BadKeyThrottle,
        ApiKeyService,
        ApiKeyExpiryWatch,
        ClientCertificateCheck,
        StaffUserRepository,
        StaffSessionRepository,
        { provide: StaffDirectory, useClass: LocalStaffDirectory },
        StaffService,
        StaffSessionService,
        StaffSandboxSeed,
        HealthRegistry,
        HealthService,
        DatabaseHealth,
        MetricsService,
        JobScheduleRepository,
        JobRunner,
        ClusterMessageRepository,
        ClusterBus,
        ClusterLocks,
        ClusterHealth,
        { provide: APP_GUARD, useClass: GatewayAuthGuard },
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
      ],
      exports: [
        GatewayConfig,
        Clock,
        Transactions,
        PiiCryptoService,
        AuditService,
        ApiKeyService,
        ClientCertificateCheck,
        StaffUserRepository,
        StaffSessionRepository,
        { provide: StaffDirectory, useClass: LocalStaffDirectory },
        StaffService,
        StaffSessionService,
        StaffSandboxSeed,
        HealthRegistry,
        MetricsService,
        JobRunner,
        ClusterBus,
        ClusterLocks,
        PiiValueRegistry,
      ],
    };
  }
}

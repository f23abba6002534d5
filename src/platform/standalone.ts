import type { DataSource } from 'typeorm';
import { AuditRepository } from './audit/audit.repository';
import { AuditService } from './audit/audit.service';
import { ApiKeyCache } from './auth/api-key-cache';
import { ApiKeyRepository } from './auth/api-key.repository';
import { ApiKeyService } from './auth/api-key.service';
import type { Clock } from './clock';
import type { GatewayConfig } from './config/gateway-config';
import { Transactions } from './database/transactions';
import type { PiiCryptoService } from './pii/pii-crypto.service';
import { StaffSessionRepository } from './staff/staff-session.repository';
import { StaffUserRepository } from './staff/staff-user.repository';
import { StaffService } from './staff/staff.service';

/**
 * The platform's services outside Nest — for CLI commands and tests that open a DataSource
 * themselves — wired exactly as PlatformModule wires them.
 */
export function auditServiceOn(dataSource: DataSource, pii: PiiCryptoService, clock: Clock): AuditService {
  return new AuditService(new AuditRepository(dataSource), pii, clock);
}

export function apiKeyServiceOn(
  dataSource: DataSource,
  audit: AuditService,
  clock: Clock,
  cache = new ApiKeyCache(new ApiKeyRepository(dataSource)),
  config?: GatewayConfig,
): ApiKeyService {
  return new ApiKeyService(new Transactions(dataSource), new ApiKeyRepository(dataSource), audit, clock, cache, config);
}

export function staffServiceOn(dataSource: DataSource, audit: AuditService, clock: Clock): StaffService {
  return new StaffService(
    new Transactions(dataSource),
    new StaffUserRepository(dataSource),
    new StaffSessionRepository(dataSource),
    audit,
    clock,
  );
}

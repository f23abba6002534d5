import { DataSource } from 'typeorm';
import { AuditService } from '../../src/platform/audit/audit.service';
import { auditServiceOn } from '../../src/platform/standalone';
import type { Clock } from '../../src/platform/clock';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { OutboxService } from '../../src/upstream/outbox/outbox.service';
import { standaloneOutbox } from '../../src/upstream/outbox/standalone-outbox';
import type { GatewaySigningKey } from '../../src/upstream/signing-keys';
import { DbKind, testDatabase } from './databases';
import { testConfig } from './test-config';

export interface DispatcherWorld {
  ds: DataSource;
  sandbox: SandboxInsurer;
  config: GatewayConfig;
  outbox: OutboxService;
  audit: AuditService;
  /** The keyring the outbox encrypts its bodies with. */
  pii: PiiCryptoService;
  /** Stops the insurer, closes the database and drops its schema. */
  close: () => Promise<void>;
}

/**
 * What a dispatcher test needs on one database: a migrated database of `kind`, a sandbox insurer
 * that trusts `gatewayKey`, a config pointing at it (with the test's upstream settings), the outbox.
 */
export async function openDispatcherWorld(
  kind: DbKind,
  dataDir: string,
  gatewayKey: GatewaySigningKey,
  clock: Clock,
  upstream: Record<string, unknown>,
): Promise<DispatcherWorld> {
  const t = await testDatabase(kind, dataDir);
  const ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
  await runMigrations(ds);
  const sandbox = new SandboxInsurer({ gatewayKeys: { [gatewayKey.id]: gatewayKey.publicKey } });
  const url = await sandbox.start();
  const config = testConfig({ upstream: { baseUrl: url, ...upstream } });
  const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k')));
  const audit = auditServiceOn(ds, pii, clock);
  const outbox = standaloneOutbox(ds, config, clock, audit, pii);
  return {
    ds,
    sandbox,
    config,
    outbox,
    audit,
    pii,
    close: async () => {
      await sandbox.stop();
      await ds.destroy();
      await t.cleanup();
    },
  };
}

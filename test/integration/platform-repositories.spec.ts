import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GATEWAY_FEATURES, GATEWAY_MIGRATIONS } from '../../src/gateway.features';
import {
  ApiKey,
  ApiKeyRepository,
  AuditEntry,
  AuditRepository,
  databaseSchema,
  featureMigrations,
  openDataSource,
  PLATFORM_FEATURE,
  runMigrations,
  Transactions,
  undoLastMigration,
} from '../../src/platform';
import { StaffUser } from '../../src/platform/staff/staff.entity';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-it-repo-'));

describe('the features’ migrations', () => {
  it('run in the order they always ran, whatever the order of the features', () => {
    const names = [
      'Foundation1764028800000',
      'Outbox1764115200000',
      'Identity1764288000000',
      'TraceCodes1764374400000',
      'Forms1764460800000',
      'SettlementCatalogue1764547200000',
      'SettlementVisits1764633600000',
      'SettlementRecords1764720000000',
      'SettlementDesk1764806400000',
      'SettlementConversion1764892800000',
      'SettlementProvisional1764979200000',
      'SettlementReview1765065600000',
      'Obligations1765152000000',
      'VisitCareType1765238400000',
      'InpatientDocuments1765324800000',
      'ObligationsDeclaration1765411200000',
      'InsurerAuditResults1765497600000',
      'Agents1765584000000',
      'AgentLink1765670400000',
      'AgentEvents1765756800000',
      'Staff1765843200000',
      'Cluster1766016000000',
      'AuditChain1766131200000',
      'PiiReencryption1766160000000',
      'ApiKeyExpiry1766246400000',
      'StaffPasswordAge1766419200000',
    ];
    expect(GATEWAY_MIGRATIONS.map((m) => m.name)).toEqual(names);
    expect(featureMigrations([...GATEWAY_FEATURES].reverse()).map((m) => m.name)).toEqual(names);
  });
});

describe.each(availableDatabases())(
  'platform repositories on %s (the platform alone, no capability)',
  (kind: DbKind) => {
    let ds: DataSource;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      const t = await testDatabase(kind, dataDir);
      cleanup = t.cleanup;
      ds = await openDataSource(t.database, dataDir, databaseSchema([PLATFORM_FEATURE]));
      expect(await runMigrations(ds)).toEqual([
        'Foundation1764028800000',
        'Staff1765843200000',
        'Cluster1766016000000',
        'AuditChain1766131200000',
        'PiiReencryption1766160000000',
        'ApiKeyExpiry1766246400000',
        'StaffPasswordAge1766419200000',
      ]);
    });

    afterAll(async () => {
      await ds?.destroy();
      await cleanup?.();
    });

    const key = (id: string, createdAt: Date): ApiKey => ({
      id,
      name: `key ${id}`,
      secretHash: 'a'.repeat(64),
      scopes: ['identity'],
      allowIps: null,
      expiresAt: null,
      createdAt,
      createdBy: 'test',
      lastUsedAt: null,
      revokedAt: null,
      revokedReason: null,
    });

    it(`${ApiKeyRepository.name} inserts, finds, lists oldest first, revokes and touches`, async () => {
      const repo = new ApiKeyRepository(ds);
      await repo.insert(repo.build(key('k2', new Date('2026-01-02T00:00:00Z'))));
      await repo.insert(repo.build(key('k1', new Date('2026-01-01T00:00:00Z'))));
      expect((await repo.findById('k1'))?.name).toBe('key k1');
      expect(await repo.findById('nope')).toBeNull();
      expect((await repo.list(false)).map((k) => k.id)).toEqual(['k1', 'k2']);

      await repo.markRevoked('k1', new Date('2026-01-03T00:00:00Z'), 'lost');
      expect((await repo.list(false)).map((k) => k.id)).toEqual(['k2']);
      expect((await repo.list(true)).map((k) => k.id)).toEqual(['k1', 'k2']);
      expect((await repo.findById('k1'))?.revokedReason).toBe('lost');

      await repo.touch('k2', new Date('2026-01-04T00:00:00Z'));
      expect((await repo.findById('k2'))?.lastUsedAt?.toISOString()).toBe('2026-01-04T00:00:00.000Z');
    });

    it(`${AuditRepository.name} appends (in the caller's transaction when given one) and finds newest first`, async () => {
      const repo = new AuditRepository(ds);
      const entry = (id: string, action: string): AuditEntry => ({
        id,
        at: new Date('2026-01-01T00:00:00Z'),
        actorType: 'system',
        actorId: 'test',
        action,
        outcome: 'success',
        subjectHash: id === '00000000-0000-7000-8000-000000000002' ? 'h'.repeat(64) : null,
        correlationId: null,
        details: { n: 1 },
      });
      await repo.append(entry('00000000-0000-7000-8000-000000000001', 'a.one'));
      await repo.append(entry('00000000-0000-7000-8000-000000000002', 'a.two'));
      await expect(
        new Transactions(ds).run(async (manager) => {
          await repo.append(entry('00000000-0000-7000-8000-000000000003', 'a.rolled-back'), manager);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');

      expect((await repo.find({ limit: 10 })).map((e) => e.action)).toEqual(['a.two', 'a.one']);
      expect((await repo.find({ action: 'a.one', limit: 10 })).map((e) => e.id)).toEqual([
        '00000000-0000-7000-8000-000000000001',
      ]);
      expect((await repo.find({ subjectHashes: ['h'.repeat(64)], limit: 10 })).map((e) => e.action)).toEqual(['a.two']);
      expect(
        (await repo.find({ before: '00000000-0000-7000-8000-000000000002', limit: 10 })).map((e) => e.action),
      ).toEqual(['a.one']);
      expect(await repo.find({ limit: 1 })).toHaveLength(1);
    });

    it('StaffPasswordAge counts the passwords of existing accounts as set at the upgrade (nobody must change at once)', async () => {
      await undoLastMigration(ds); // back to before StaffPasswordAge
      const pg = kind === 'postgres';
      const at = pg ? new Date() : new Date().toISOString().replace('T', ' ').replace('Z', '');
      const marks = Array.from({ length: 10 }, (_, n) => (pg ? `$${n + 1}` : '?'));
      await ds.query(
        'INSERT INTO staff_user (id, login, display_name, roles, desks, password_hash, state, created_at, created_by, updated_at) ' +
          `VALUES (${marks.join(', ')})`,
        ['st-upgrade', 'old.hand', '老员工', '["desk"]', '[]', 'scrypt$x', 'active', at, 'test', at],
      );
      const before = Date.now();
      expect(await runMigrations(ds)).toEqual(['StaffPasswordAge1766419200000']);
      const user = await ds.getRepository(StaffUser).findOneByOrFail({ id: 'st-upgrade' });
      expect(user.passwordMustChange).toBe(false);
      expect(user.passwordChangedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(user.passwordChangedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    });
  },
);

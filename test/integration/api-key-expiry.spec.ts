import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  ApiKey,
  ApiKeyCache,
  ApiKeyRepository,
  ApiKeyService,
  AuditEntry,
  auditServiceOn,
  BadKeyThrottle,
  CatalogueError,
  databaseSchema,
  decodeKeyring,
  DomainError,
  generateKeyringDocument,
  hashSecret,
  newToken,
  openDataSource,
  PiiCryptoService,
  PLATFORM_FEATURE,
  runMigrations,
  RetryLaterError,
  Transactions,
  undoLastMigration,
} from '../../src/platform';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { PinnedClock } from '../support/pinned-clock';
import { testConfig } from '../support/test-config';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-it-keyexpiry-'));
const SCHEMA = databaseSchema([PLATFORM_FEATURE]);
const DAY = 86_400_000;
const SYSTEM = { type: 'system', id: 'test' } as const;

/** The code of what `p` rejects with. */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof DomainError ? e.code : String(e);
  }
  return 'resolved';
}

/**
 * API-key expiry (create rules, the check on every request even from the cache, the upgrade of
 * existing admin keys) and the bad-key slow-down per address, against a real database.
 */
describe.each(availableDatabases())('API-key expiry and bad keys on %s', (kind: DbKind) => {
  let cleanup: () => Promise<void>;
  let ds: DataSource;
  let clock: PinnedClock;
  let monotonic: number;
  let service: ApiKeyService;
  let cache: ApiKeyCache;
  const config = testConfig({
    apiKeys: { adminMaxDays: 180 },
    server: { rateLimit: { badKeys: { threshold: 3, windowMinutes: 10, baseDelaySeconds: 2, maxDelaySeconds: 60 } } },
  });

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, SCHEMA);
    await runMigrations(ds);
  });
  beforeEach(() => {
    clock = new PinnedClock(new Date('2026-12-04T02:00:00Z'));
    monotonic = 0;
    const audit = auditServiceOn(ds, new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1'))), clock);
    const repo = new ApiKeyRepository(ds);
    cache = new ApiKeyCache(repo, { refreshEveryMs: 3_600_000, now: () => monotonic });
    const throttle = new BadKeyThrottle(config, audit, undefined, () => monotonic);
    service = new ApiKeyService(new Transactions(ds), repo, audit, clock, cache, config, throttle);
  });
  afterEach(() => cache.stop());
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('refuses an admin key without expiry or beyond apiKeys.adminMaxDays, and an expiry in the past', async () => {
    const create = (scopes: string[], expiresAt?: Date) => service.create({ name: 'IT', scopes, expiresAt }, SYSTEM);
    const noExpiry = await create(['admin']).catch((e: CatalogueError) => e);
    expect(noExpiry).toMatchObject({ code: 'APIKEY_INVALID', details: [{ field: 'expiresAt' }] });
    expect((noExpiry as DomainError).details?.[0].message).toContain('必须设置到期时间（最长 180 天）');
    expect(await codeOf(create(['admin'], new Date(clock.now().getTime() + 181 * DAY)))).toBe('APIKEY_INVALID');
    expect(await codeOf(create(['identity'], new Date(clock.now().getTime() - 1)))).toBe('APIKEY_INVALID');
    const ok = await create(['admin', 'identity'], new Date(clock.now().getTime() + 180 * DAY));
    expect(ok.key.expiresAt?.toISOString()).toBe('2027-06-02T02:00:00.000Z');
    expect((await create(['identity'])).key.expiresAt).toBeNull(); // other keys may live without one
    expect((await ds.getRepository(ApiKey).findOneByOrFail({ id: ok.key.id })).expiresAt?.getTime()).toBe(
      ok.key.expiresAt?.getTime(),
    );
  });

  it('refuses a key the moment it expires, also while its row is cached', async () => {
    const { key, token } = await service.create(
      { name: 'HIS', scopes: ['identity'], expiresAt: new Date(clock.now().getTime() + 60_000) },
      SYSTEM,
    );
    expect((await service.authenticate(`Bearer ${token}`, '10.0.0.1', ['identity'])).id).toBe(key.id);
    const reads = jest.spyOn(ApiKeyRepository.prototype, 'findById');
    clock.advance(60_000);
    const refused = await service
      .authenticate(`Bearer ${token}`, '10.0.0.1', ['identity'])
      .catch((e: DomainError) => e);
    expect(refused).toMatchObject({ code: 'AUTH_KEY_EXPIRED', status: 401 });
    expect((refused as DomainError).userMessage).toBe(
      'API 密钥已于 2026-12-04 10:01（北京时间）过期，请向信息科申请新的密钥',
    );
    expect(reads).not.toHaveBeenCalled(); // answered from the cache: no staleness window
    reads.mockRestore();
  });

  it('slows down an address after repeated bad keys, audits it once, and lets its good keys through', async () => {
    const good = await service.create({ name: 'HIS', scopes: ['identity'] }, SYSTEM);
    const fresh = await service.create({ name: 'HIS 2', scopes: ['identity'] }, SYSTEM);
    await service.authenticate(`Bearer ${good.token}`, '10.0.0.7', ['identity']); // cached from now on
    const wrongSecret = `gwk_${good.key.id}_${newToken().secret}`;
    const bad = () => service.authenticate(`Bearer ${wrongSecret}`, '10.0.0.7', ['identity']);

    expect(await codeOf(bad())).toBe('AUTH_INVALID');
    expect(await codeOf(service.authenticate('Bearer nonsense', '10.0.0.7', []))).toBe('AUTH_INVALID');
    expect(await codeOf(service.authenticate(`Bearer ${newToken().token}`, '::ffff:10.0.0.7', []))).toBe(
      'AUTH_INVALID',
    );
    // The third failure reached the threshold: unproven attempts now wait, without a database read.
    const reads = jest.spyOn(ApiKeyRepository.prototype, 'findById');
    const slowed = await bad().catch((e: unknown) => e);
    expect(slowed).toBeInstanceOf(RetryLaterError);
    expect(slowed).toMatchObject({ code: 'AUTH_TOO_MANY_FAILURES', status: 429, retryAfterSeconds: 2 });
    expect(await codeOf(service.authenticate(`Bearer ${fresh.token}`, '10.0.0.7', []))).toBe('AUTH_TOO_MANY_FAILURES');
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    // A desk's good key (proven from the cache) goes on; so does every other address.
    expect((await service.authenticate(`Bearer ${good.token}`, '10.0.0.7', ['identity'])).id).toBe(good.key.id);
    expect((await service.authenticate(`Bearer ${fresh.token}`, '10.0.0.8', [])).id).toBe(fresh.key.id);
    // After the pause the next bad key is checked (and refused) again, and the pause doubles.
    monotonic += 2_000;
    expect(await codeOf(bad())).toBe('AUTH_INVALID');
    expect(await bad().catch((e: RetryLaterError) => e.retryAfterSeconds)).toBe(4);

    await eventually(
      async () => (await ds.getRepository(AuditEntry).countBy({ action: 'auth.bad-key' })) === 1,
      'the bad-key audit entry',
    );
    const entry = await ds.getRepository(AuditEntry).findOneByOrFail({ action: 'auth.bad-key' });
    expect(entry).toMatchObject({ outcome: 'denied', actorType: 'system' });
    expect(JSON.parse(JSON.stringify(entry.details))).toMatchObject({ address: '10.0.0.7', failures: 3 });
  });

  it('gives admin keys without expiry one 90 days out at the upgrade, and leaves other keys alone', async () => {
    // Back to before ApiKeyExpiry, undoing the migrations that came after it too.
    const applied = async () =>
      (await ds.query<Array<{ name: string }>>('SELECT name FROM schema_migrations')).map((m) => m.name);
    while ((await applied()).some((name) => name.startsWith('ApiKeyExpiry'))) {
      await undoLastMigration(ds);
    }
    const insert = async (scopes: string[], revoked: boolean) => {
      const { id, secret } = newToken();
      const pg = kind === 'postgres';
      const at = (d: Date | null) => (d === null || pg ? d : d.toISOString().replace('T', ' ').replace('Z', ''));
      const marks = pg ? ['$1', '$2', '$3', '$4', '$5', '$6', '$7'] : Array<string>(7).fill('?');
      await ds.query(
        `INSERT INTO api_key (id, name, secret_hash, scopes, created_at, created_by, revoked_at) VALUES (${marks.join(', ')})`,
        [
          id,
          `key ${id}`,
          hashSecret(secret),
          JSON.stringify(scopes),
          at(new Date()),
          'test',
          at(revoked ? new Date() : null),
        ],
      );
      return id;
    };
    const admin = await insert(['identity', 'admin'], false);
    const revokedAdmin = await insert(['admin'], true);
    const his = await insert(['identity'], false);
    await runMigrations(ds);
    const expiry = async (id: string) => (await ds.getRepository(ApiKey).findOneByOrFail({ id })).expiresAt;
    const adminExpiry = (await expiry(admin))?.getTime() ?? 0;
    expect(Math.abs(adminExpiry - (Date.now() + 90 * DAY))).toBeLessThan(DAY);
    expect(await expiry(revokedAdmin)).toBeNull();
    expect(await expiry(his)).toBeNull();
  });
});

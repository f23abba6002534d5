import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  ApiKey,
  ApiKeyCache,
  type ApiKeyCacheTiming,
  ApiKeyRepository,
  auditServiceOn,
  databaseSchema,
  decodeKeyring,
  generateKeyringDocument,
  hashSecret,
  newToken,
  openDataSource,
  PiiCryptoService,
  PLATFORM_FEATURE,
  runMigrations,
  SystemClock,
  apiKeyServiceOn,
} from '../../src/platform';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { eventually } from '../support/eventually';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-it-keycache-'));
const SCHEMA = databaseSchema([PLATFORM_FEATURE]);

/**
 * The API-key cache against a real database, with a second connection playing "another instance"
 * (or the CLI on the same SQLite file). Time is a number the test moves, so nothing here depends
 * on how fast the machine is — except the last test, which lets the refresher run by itself.
 */
describe.each(availableDatabases())('API-key cache on %s', (kind: DbKind) => {
  let db: Awaited<ReturnType<typeof testDatabase>>['database'];
  let cleanup: () => Promise<void>;
  /** The gateway's connection (the cache reads through it) and another process's. */
  let ours: DataSource;
  let theirs: DataSource;
  let repo: ApiKeyRepository;
  let now: number;
  const caches: ApiKeyCache[] = [];
  const cacheWith = (timing: Partial<ApiKeyCacheTiming> = {}): ApiKeyCache => {
    // The refresher is left to the test (refresh()) unless a test asks for a real interval.
    const cache = new ApiKeyCache(repo, { refreshEveryMs: 3_600_000, now: () => now, ...timing });
    caches.push(cache);
    return cache;
  };

  /** A key row inserted from the other connection; the secret that proves it. */
  const newKey = async (): Promise<{ id: string; secret: string }> => {
    const { id, secret } = newToken();
    await theirs.getRepository(ApiKey).insert({
      id,
      name: `key ${id}`,
      secretHash: hashSecret(secret),
      scopes: ['identity'],
      allowIps: null,
      createdAt: new Date(),
      createdBy: 'test',
      lastUsedAt: null,
      revokedAt: null,
      revokedReason: null,
    });
    return { id, secret };
  };
  const proving = (secret: string) => (row: ApiKey) => row.secretHash === hashSecret(secret);
  const revokeElsewhere = (id: string) =>
    theirs.getRepository(ApiKey).update({ id }, { revokedAt: new Date(), revokedReason: 'leaked' });

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    db = t.database;
    cleanup = t.cleanup;
    ours = await openDataSource(db, dataDir, SCHEMA);
    await runMigrations(ours);
    theirs = await openDataSource(db, dataDir, SCHEMA);
    repo = new ApiKeyRepository(ours);
  });
  beforeEach(() => {
    now = 1_000;
  });
  afterEach(() => {
    caches.splice(0).forEach((c) => c.stop());
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await theirs?.destroy();
    await ours?.destroy();
    await cleanup?.();
  });

  it('a verified key is read once and then answered from memory while fresh; its refresher keeps no process alive', async () => {
    const { id, secret } = await newKey();
    const cache = cacheWith();
    const reads = jest.spyOn(repo, 'findById');
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    expect((await cache.find(id, proving(secret)))?.id).toBe(id);
    expect(timers()).toBe(before); // the refresher's timer is scheduled now, and unref'd
    now += 900;
    expect((await cache.find(id, proving(secret)))?.id).toBe(id);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(cache.size).toBe(1);
  });

  it('an unknown id or an unproven secret is never cached: each lookup reads the row', async () => {
    const { id } = await newKey();
    const cache = cacheWith();
    const reads = jest.spyOn(repo, 'findById');
    expect(await cache.find('0123456789ab', () => true)).toBeNull();
    expect(await cache.find('0123456789ab', () => true)).toBeNull();
    const wrong = proving('not-the-secret');
    expect((await cache.find(id, wrong))?.id).toBe(id); // the row, which the caller then refuses
    expect((await cache.find(id, wrong))?.id).toBe(id);
    expect(reads).toHaveBeenCalledTimes(4);
    expect(cache.size).toBe(0);
  });

  it('a revocation by another connection is seen after the next refresh; a deleted key leaves the cache', async () => {
    const a = await newKey();
    const b = await newKey();
    const cache = cacheWith();
    await cache.find(a.id, proving(a.secret));
    await cache.find(b.id, proving(b.secret));
    await revokeElsewhere(a.id);
    await theirs.getRepository(ApiKey).delete({ id: b.id });

    const reads = jest.spyOn(repo, 'findByIds');
    now += 500;
    await cache.refresh();
    expect(reads).toHaveBeenCalledTimes(1); // one question for all cached keys
    expect((await cache.find(a.id, proving(a.secret)))?.revokedAt).toBeInstanceOf(Date);
    expect(cache.size).toBe(1);
    expect(await cache.find(b.id, proving(b.secret))).toBeNull();
  });

  it('a row older than maxAge is not used: it is read again, and when the database cannot answer the lookup fails', async () => {
    const own = await openDataSource(db, dataDir, SCHEMA);
    const ownRepo = new ApiKeyRepository(own);
    const { id, secret } = await newKey();
    const cache = new ApiKeyCache(ownRepo, { refreshEveryMs: 3_600_000, maxAgeMs: 1000, now: () => now });
    caches.push(cache);
    await cache.find(id, proving(secret));

    const reads = jest.spyOn(ownRepo, 'findById');
    now += 1000;
    expect((await cache.find(id, proving(secret)))?.id).toBe(id);
    expect(reads).toHaveBeenCalledTimes(1); // stale: read again (and cached again, fresh)

    await own.destroy(); // the database is gone for this process
    await cache.refresh(); // fails quietly: nothing is renewed
    now += 999;
    expect((await cache.find(id, proving(secret)))?.id).toBe(id); // still within its second
    now += 1;
    await expect(cache.find(id, proving(secret))).rejects.toThrow(); // fail closed
  });

  it('a key forgotten by this process is read again at once, and a read that began before is not cached', async () => {
    const { id, secret } = await newKey();
    const cache = cacheWith();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const realFind = repo.findById.bind(repo);
    jest.spyOn(repo, 'findById').mockImplementationOnce(async (key) => {
      const row = await realFind(key);
      await gate;
      return row;
    });
    const inFlight = cache.find(id, proving(secret));
    await new Promise((r) => setImmediate(r));
    now += 1;
    cache.forget(id); // e.g. revoked here while that read was under way
    release();
    await inFlight;
    expect(cache.size).toBe(0);
  });

  it('through the service: the refresher, running by itself, brings another instance’s revocation; it stops when told', async () => {
    const clock = new SystemClock();
    const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1')));
    const elsewhere = apiKeyServiceOn(theirs, auditServiceOn(theirs, pii, clock), clock);
    const { key, token } = await elsewhere.create({ name: 'HIS', scopes: ['identity'] }, { type: 'cli', id: 'test' });
    // The service as the gateway builds it, its cache refreshing by itself every 50 ms in real time;
    // rows never go stale here, so only the refresher can bring the revocation.
    const cache = new ApiKeyCache(repo, { refreshEveryMs: 50, maxAgeMs: 3_600_000 });
    caches.push(cache);
    const here = apiKeyServiceOn(ours, auditServiceOn(ours, pii, clock), clock, cache);
    await expect(here.authenticate(`Bearer ${token}`, '127.0.0.1', ['identity'])).resolves.toMatchObject({
      id: key.id,
    });
    await elsewhere.revoke(key.id, 'leaked', { type: 'cli', id: 'test' });
    const refused = async () =>
      here.authenticate(`Bearer ${token}`, '127.0.0.1', ['identity']).then(
        () => false,
        (err: { code?: string }) => err.code === 'AUTH_REVOKED',
      );
    // A deadline, not a measurement: generous for a 50 ms refresher on a busy machine.
    await eventually(refused, 'the revocation to be seen', 1500);

    const refreshes = jest.spyOn(repo, 'findByIds');
    cache.stop();
    await new Promise((r) => setTimeout(r, 150));
    expect(refreshes).not.toHaveBeenCalled();
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CoverageCacheRepository } from '../../src/identity/coverage-cache.repository';
import { IdentitySession } from '../../src/identity/identity-session.entity';
import { IdentitySessionRepository } from '../../src/identity/identity-session.repository';
import { personKey } from '../../src/identity/person-key';
import { openDataSource, runMigrations } from '../../src/platform/database/data-source';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { Transactions } from '../../src/platform/database/transactions';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { answerOf, SEED, storedSession } from '../support/identity-fixtures';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-identity-'));
const T0 = new Date('2026-11-25T02:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

function session(id: string, desk: string, over: Partial<IdentitySession> = {}): IdentitySession {
  return storedSession(id, T0, { desk, expiresAt: at(60), ...over });
}

describe.each(availableDatabases())('identity repositories on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k')));
  let sessions: IdentitySessionRepository;
  let cache: CoverageCacheRepository;
  const save = (row: IdentitySession): Promise<void> => new Transactions(ds).run((m) => sessions.save(row, m));

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    sessions = new IdentitySessionRepository(ds);
    cache = new CoverageCacheRepository(ds, pii);
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  describe(CoverageCacheRepository.name, () => {
    const key = personKey(pii, SEED.activeFingers.certno);

    it('keeps the latest 1101 answer per person, encrypted, and replaces it on the next answer', async () => {
      expect(await cache.find([key])).toBeUndefined();
      const first = answerOf(SEED.activeFingers);
      await cache.store(key, first, at(0));
      expect(await cache.find([key])).toEqual({ answer: first, fetchedAt: at(0) });

      const second = answerOf(SEED.activeFingers, (a) => ({ ...a, injury: { ...a.injury, disability_grade: 7 } }));
      await cache.store(key, second, at(5));
      expect(await cache.find([key])).toEqual({ answer: second, fetchedAt: at(5) });

      const raw = await ds.query<Array<{ answer: string }>>('SELECT answer FROM identity_coverage_cache');
      expect(raw).toHaveLength(1);
      expect(raw[0].answer).not.toContain(SEED.activeFingers.certno);
      expect(raw[0].answer).not.toContain(SEED.activeFingers.psn_name);
    });

    it('writes inside the caller’s transaction: a rollback leaves no answer behind', async () => {
      const other = personKey(pii, SEED.dotName.certno);
      await expect(
        new Transactions(ds).run(async (m) => {
          await cache.store(other, answerOf(SEED.dotName), at(1), m);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(await cache.find([other])).toBeUndefined();
    });
  });

  describe(IdentitySessionRepository.name, () => {
    it('finds a session by id, and saves changes to it', async () => {
      await save(session('s-find', 'D1'));
      const row = await sessions.findById('s-find');
      expect(row).toMatchObject({ id: 's-find', desk: 'D1', visitId: null, offline: false });
      expect(new Date((row as IdentitySession).expiresAt)).toEqual(at(60));
      (row as IdentitySession).visitId = 'V1';
      await save(row as IdentitySession);
      expect(await sessions.findById('s-find')).toMatchObject({ visitId: 'V1' });
      expect(await sessions.findById('nope')).toBeNull();
    });

    it('saves a new session and a changed one in one statement each, every column as the row holds it', async () => {
      const statementsOf = (row: IdentitySession): Promise<number> =>
        new Transactions(ds).run(async (m) => {
          const runner = m.queryRunner as NonNullable<typeof m.queryRunner>;
          const query = runner.query.bind(runner);
          let n = 0;
          runner.query = ((...args: Parameters<typeof query>) => {
            n++;
            return query(...args);
          }) as typeof query;
          try {
            await sessions.save(row, m);
          } finally {
            runner.query = query;
          }
          return n;
        });
      expect(await statementsOf(session('s-upsert', 'D5'))).toBe(1);
      const changed = session('s-upsert', 'D5', {
        visitId: 'V5',
        subjectKey: 'k-5',
        evidence: 'pii1:k:x',
        verdict: 'MATCH',
        offline: true,
        coverage: 'covered',
        result: '{"checks":[],"missing":[],"sources":["card"]}',
        token: 't-5',
        tokenExpiresAt: at(30),
        updatedAt: at(7),
        expiresAt: at(15),
      });
      expect(await statementsOf(changed)).toBe(1);
      const row = (await sessions.findById('s-upsert')) as IdentitySession;
      expect({ ...row, tokenExpiresAt: new Date(row.tokenExpiresAt as Date) }).toEqual({ ...changed });
    });

    it('finds the desk’s newest open session, and the newest one still waiting for its visit', async () => {
      await save(session('d2-old-waiting', 'D2', { createdAt: at(1) }));
      await save(session('d2-new-waiting', 'D2', { createdAt: at(2) }));
      await save(session('d2-adopted', 'D2', { createdAt: at(3), visitId: 'V2' }));
      await save(session('d2-expired', 'D2', { createdAt: at(4), expiresAt: at(10) }));
      await save(session('d3-waiting', 'D3', { createdAt: at(5) }));
      const now = at(20);
      expect((await sessions.findLatestAtDesk('D2', now))?.id).toBe('d2-adopted');
      expect((await sessions.findWaitingAtDesk('D2', now))?.id).toBe('d2-new-waiting');
      expect(await sessions.findWaitingAtDesk('D2', at(61))).toBeNull();
      expect(await sessions.findLatestAtDesk('D9', now)).toBeNull();
    });

    it('lists open offline sessions, least recently updated first', async () => {
      await save(session('off-b', 'D4', { offline: true, updatedAt: at(8) }));
      await save(session('off-a', 'D4', { offline: true, updatedAt: at(6) }));
      await save(session('off-expired', 'D4', { offline: true, updatedAt: at(1), expiresAt: at(15) }));
      await save(session('online', 'D4', { updatedAt: at(2) }));
      expect(await sessions.findOfflineIds(at(20))).toEqual(['off-a', 'off-b']);
    });
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../../src/platform/audit/audit.service';
import { auditServiceOn, apiKeyServiceOn } from '../../src/platform/standalone';
import { ApiKey } from '../../src/platform/auth/api-key.entity';
import { parseToken } from '../../src/platform/auth/api-key-token';
import { ApiKeyService } from '../../src/platform/auth/api-key.service';
import { SystemClock } from '../../src/platform/clock';
import { openDataSource, runMigrations, undoLastMigration } from '../../src/platform/database/data-source';
import { GATEWAY_MIGRATIONS as MIGRATIONS, GATEWAY_SCHEMA } from '../../src/gateway.features';
import { UnauthenticatedError, ForbiddenError } from '../../src/platform/errors/domain-error';
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-it-'));

describe.each(availableDatabases())('database on %s', (kind: DbKind) => {
  let dataSource: DataSource;
  let cleanup: () => Promise<void>;
  let db: Awaited<ReturnType<typeof testDatabase>>['database'];

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    db = t.database;
    cleanup = t.cleanup;
    dataSource = await openDataSource(db, dataDir, GATEWAY_SCHEMA);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await cleanup?.();
  });

  describe('migrations', () => {
    it('apply every migration on a fresh database, then find nothing left to do', async () => {
      expect(await runMigrations(dataSource)).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await dataSource.showMigrations()).toBe(false);
      expect(await runMigrations(dataSource)).toEqual([]);
      const tables = await dataSource.createQueryRunner().getTables(['api_key', 'audit_log']);
      expect(tables.map((t) => t.name.replace(/^.*\./, '')).sort()).toEqual(['api_key', 'audit_log']);
    });

    it('go down and up again cleanly', async () => {
      for (let i = 0; i < MIGRATIONS.length; i++) {
        await undoLastMigration(dataSource);
      }
      expect(await dataSource.createQueryRunner().hasTable('audit_log')).toBe(false);
      expect(await runMigrations(dataSource)).toHaveLength(MIGRATIONS.length);
      expect(await dataSource.createQueryRunner().hasTable('audit_log')).toBe(true);
    });
  });

  describe(AuditService.name, () => {
    it('appends entries with the subject as a keyed hash only, and the database refuses to change them', async () => {
      const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1')));
      const sut = auditServiceOn(dataSource, pii, new SystemClock());
      const entry = await sut.record({
        actor: { type: 'api-key', id: 'abc123' },
        action: 'identity.verdict',
        outcome: 'success',
        subject: { value: '11010519491231002X', domain: 'idno' },
        details: { verdict: 'MATCH' },
      });
      const [row] = await dataSource.query(`SELECT * FROM audit_log WHERE id = '${entry.id}'`);
      expect(JSON.stringify(row)).not.toContain('11010519491231002X');
      expect(row.subject_hash).toBe(pii.hash('11010519491231002X', 'idno'));

      const found = await sut.find({ subject: { value: '11010519491231002x', domain: 'idno' }, limit: 10 });
      expect(found.map((e) => e.id)).toEqual([entry.id]);
      expect(found[0].at).toBeInstanceOf(Date);
      expect(found[0].details).toEqual({ verdict: 'MATCH' });

      await expect(
        dataSource.query(`UPDATE audit_log SET outcome = 'failure' WHERE id = '${entry.id}'`),
      ).rejects.toThrow(/append-only/);
      await expect(dataSource.query(`DELETE FROM audit_log WHERE id = '${entry.id}'`)).rejects.toThrow(/append-only/);
      const [still] = await dataSource.query(`SELECT outcome FROM audit_log WHERE id = '${entry.id}'`);
      expect(still.outcome).toBe('success');
    });

    it('appends several entries in one statement, in order, in the caller’s transaction', async () => {
      const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1')));
      const sut = auditServiceOn(dataSource, pii, new SystemClock());
      const subject = { value: '11010519491231002X', domain: 'idno' };
      let statements = 0;
      const entries = await dataSource.transaction(async (m) => {
        const runner = m.queryRunner as NonNullable<typeof m.queryRunner>;
        const query = runner.query.bind(runner);
        runner.query = ((...args: Parameters<typeof query>) => {
          statements++;
          return query(...args);
        }) as typeof query;
        try {
          return await sut.recordAll(
            [
              { actor: { type: 'system', id: 'test' }, action: 'batch.first', outcome: 'success', subject },
              { actor: { type: 'system', id: 'test' }, action: 'batch.second', outcome: 'failure', subject },
            ],
            m,
          );
        } finally {
          runner.query = query;
        }
      });
      expect(statements).toBe(1);
      const rows = await dataSource.query<{ id: string; action: string; outcome: string; subject_hash: string }[]>(
        `SELECT id, action, outcome, subject_hash FROM audit_log WHERE action LIKE 'batch.%' ORDER BY id`,
      );
      expect(rows).toEqual(
        entries.map((e, i) => ({
          id: e.id,
          action: ['batch.first', 'batch.second'][i],
          outcome: ['success', 'failure'][i],
          subject_hash: pii.hash(subject.value, subject.domain),
        })),
      );
      await expect(sut.recordAll([])).resolves.toEqual([]);
    });

    it('keeps time order when paging', async () => {
      const pii = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1')));
      const sut = auditServiceOn(dataSource, pii, new SystemClock());
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(
          (await sut.record({ actor: { type: 'system', id: 'test' }, action: 'paging.test', outcome: 'success' })).id,
        );
      }
      const first = await sut.find({ action: 'paging.test', limit: 2 });
      expect(first.map((e) => e.id)).toEqual([ids[4], ids[3]]);
      const next = await sut.find({ action: 'paging.test', limit: 2, before: first[1].id });
      expect(next.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    });
  });

  describe(ApiKeyService.name, () => {
    it('stores only a hash of the secret, authenticates by scope and IP, and revokes', async () => {
      const clock = new SystemClock();
      const audit = auditServiceOn(
        dataSource,
        new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1'))),
        clock,
      );
      const sut = apiKeyServiceOn(dataSource, audit, clock);
      const { key, token } = await sut.create(
        { name: 'HIS 门诊', scopes: ['identity', 'trace-codes'], allowIps: ['10.0.0.0/8'] },
        { type: 'cli', id: 'cli:test' },
      );
      const secret = parseToken(token)?.secret as string;

      const rows = await dataSource.query('SELECT * FROM api_key');
      const audits = await dataSource.query('SELECT * FROM audit_log');
      expect(JSON.stringify([rows, audits])).not.toContain(secret);

      await expect(sut.authenticate(`Bearer ${token}`, '10.1.2.3', ['identity'])).resolves.toMatchObject({
        id: key.id,
        scopes: ['identity', 'trace-codes'],
      });
      await expect(sut.authenticate(`Bearer ${token}`, '192.168.1.1', ['identity'])).rejects.toMatchObject({
        code: 'AUTH_IP_NOT_ALLOWED',
      });
      await expect(sut.authenticate(`Bearer ${token}`, '10.1.2.3', ['admin'])).rejects.toBeInstanceOf(ForbiddenError);
      await expect(sut.authenticate(`Bearer ${token.slice(0, -1)}x`, '10.1.2.3', ['identity'])).rejects.toMatchObject({
        code: 'AUTH_INVALID',
      });
      await expect(sut.authenticate(undefined, '10.1.2.3', [])).rejects.toMatchObject({ code: 'AUTH_MISSING' });

      await sut.revoke(key.id, 'rotated', { type: 'cli', id: 'cli:test' });
      await expect(sut.authenticate(`Bearer ${token}`, '10.1.2.3', ['identity'])).rejects.toBeInstanceOf(
        UnauthenticatedError,
      );
      const stored = await dataSource.getRepository(ApiKey).findOneByOrFail({ id: key.id });
      expect(stored.revokedAt).toBeInstanceOf(Date);
      expect(stored.scopes).toEqual(['identity', 'trace-codes']);
      expect((await sut.list()).map((k) => k.id)).not.toContain(key.id);
      expect((await sut.list(true)).map((k) => k.id)).toContain(key.id);
    });

    it('refuses bad scopes and allow-list entries, naming each', async () => {
      const clock = new SystemClock();
      const audit = auditServiceOn(
        dataSource,
        new PiiCryptoService(decodeKeyring(generateKeyringDocument('k1'))),
        clock,
      );
      const sut = apiKeyServiceOn(dataSource, audit, clock);
      await expect(
        sut.create({ name: 'x', scopes: ['root'], allowIps: ['his-server'] }, { type: 'cli', id: 't' }),
      ).rejects.toMatchObject({
        code: 'APIKEY_INVALID',
        details: [expect.objectContaining({ field: 'scopes' }), expect.objectContaining({ field: 'allowIps' })],
      });
    });
  });
});

describe('concurrent start-up on PostgreSQL (skipped without GATEWAY_TEST_PG_URL)', () => {
  const kinds = availableDatabases();
  const run = kinds.includes('postgres') ? it : it.skip;
  run('two gateways migrating one fresh schema at once apply each migration exactly once', async () => {
    const { database, cleanup } = await testDatabase('postgres', dataDir);
    const a = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
    const b = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
    try {
      const [ra, rb] = await Promise.all([runMigrations(a), runMigrations(b)]);
      expect([...ra, ...rb]).toEqual(MIGRATIONS.map((m) => m.name));
      const applied = await a.query('SELECT name FROM schema_migrations');
      expect(applied).toHaveLength(MIGRATIONS.length);
    } finally {
      await a.destroy();
      await b.destroy();
      await cleanup();
    }
  });
});

describe('SQLite transaction gate', () => {
  it('keeps concurrent transactions apart and a plain write out of a transaction that rolls back', async () => {
    const { database } = await testDatabase('sqlite', dataDir);
    const ds = await openDataSource(database, dataDir, GATEWAY_SCHEMA);
    try {
      await runMigrations(ds);
      const insert = (id: string) =>
        ds.query(
          `INSERT INTO api_key (id, name, secret_hash, scopes, created_at, created_by) VALUES ('${id}', 'n', 'h', '[]', '2026-01-01 00:00:00.000', 't')`,
        );
      let releaseFailing!: () => void;
      const failing = ds.transaction(async (m) => {
        await m.query(
          `INSERT INTO api_key (id, name, secret_hash, scopes, created_at, created_by) VALUES ('rolled-back', 'n', 'h', '[]', '2026-01-01 00:00:00.000', 't')`,
        );
        await new Promise<void>((r) => (releaseFailing = r));
        throw new Error('rollback');
      });
      await new Promise((r) => setImmediate(r));
      // While that transaction is open: another transaction and a plain write from elsewhere.
      const other = ds.transaction((m) =>
        m.query(
          `INSERT INTO api_key (id, name, secret_hash, scopes, created_at, created_by) VALUES ('committed', 'n', 'h', '[]', '2026-01-01 00:00:00.000', 't')`,
        ),
      );
      const plain = insert('plain');
      releaseFailing();
      await expect(failing).rejects.toThrow('rollback');
      await Promise.all([other, plain]);
      const ids = (await ds.query('SELECT id FROM api_key ORDER BY id')).map((r: { id: string }) => r.id);
      expect(ids).toEqual(['committed', 'plain']);
    } finally {
      await ds.destroy();
    }
  });
});

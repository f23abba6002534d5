import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  AuditChainRepository,
  AuditChainService,
  AuditEntry,
  AuditHealth,
  AuditRepository,
  AuditVerifier,
  chainHashOf,
  checkExportFile,
  contentHashOf,
  databaseSchema,
  exportAudit,
  GatewayConfig,
  HealthRegistry,
  openDataSource,
  PLATFORM_FEATURE,
  runMigrations,
  SqlDialect,
  SystemClock,
  Transactions,
  uuidv7,
} from '../../src/platform';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { testConfig } from '../support/test-config';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-it-audit-'));
const MONTH_MS = 30 * 86_400_000;

describe('audit.retentionMonths', () => {
  it('is refused below 6 months (网络安全法 Art. 21)', () => {
    expect(() => testConfig({ audit: { retentionMonths: 5 } })).toThrow(/audit\.retentionMonths.*at least 6 months/s);
    expect(testConfig({ audit: { retentionMonths: 6 } }).audit.retentionMonths).toBe(6);
  });
});

describe.each(availableDatabases())('the audit chain on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  let audit: AuditRepository;
  let chain: AuditChainRepository;
  let sut: AuditChainService;
  const config = { audit: { retentionMonths: 6, checkpointMinutes: 10, maxUnsealedMinutes: 10 } } as GatewayConfig;

  beforeEach(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, databaseSchema([PLATFORM_FEATURE]));
    await runMigrations(ds);
    audit = new AuditRepository(ds);
    chain = new AuditChainRepository(ds);
    sut = new AuditChainService(new Transactions(ds), chain, new SystemClock(), config);
  });

  afterEach(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  const entry = (action: string, at = new Date(), id = uuidv7()): AuditEntry => ({
    id,
    at,
    actorType: 'system',
    actorId: 'test',
    action,
    outcome: 'success',
    subjectHash: null,
    correlationId: 'c-1',
    details: { z: 1, a: [1, { y: 'x', b: null }] },
  });
  const verify = (o: Partial<Parameters<AuditVerifier['verify']>[0]> = {}) =>
    new AuditVerifier(chain).verify({ maxUnsealedMinutes: 10, now: new Date(), ...o });
  const sealedOrder = async (): Promise<string[]> =>
    (await ds.query<{ action: string }[]>('SELECT action FROM audit_log ORDER BY seq')).map((r) => r.action);
  /** As an attacker with database rights would: the guard trigger off for one statement. */
  const tamper = async (sql: string): Promise<void> => {
    if (kind === 'postgres') {
      await ds.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_seal_or_retain');
      await ds.query(sql);
      await ds.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_seal_or_retain');
    } else {
      await ds.query('DROP TRIGGER IF EXISTS audit_log_seal_only');
      await ds.query('DROP TRIGGER IF EXISTS audit_log_retained');
      await ds.query(sql);
    }
  };

  it('seals entries appended concurrently and out of id order, and verify passes on the untouched log', async () => {
    const lateId = uuidv7();
    await Promise.all(['c1', 'c2', 'c3'].map((a) => audit.appendAll([entry(`${a}.x`), entry(`${a}.y`)])));
    expect(await sut.sealPending()).toBe(6);
    // Committed after entries with larger ids were sealed: chained later, in sealing order.
    await audit.append(entry('late', new Date(), lateId));
    await audit.append(entry('next'));
    expect(await sut.sealPending()).toBe(2);
    expect((await sealedOrder()).slice(6)).toEqual(['late', 'next']);
    expect(await sut.sealPending()).toBe(0);

    const report = await verify();
    expect(report).toMatchObject({ ok: true, fromSeq: 1, toSeq: 8, checked: 8 });
  });

  (kind === 'postgres' ? it : it.skip)(
    'seals only committed entries: one committed late is chained after those that did not wait (PostgreSQL only: SQLite has one writer)',
    async () => {
      const runner = ds.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await audit.append(entry('slow', new Date(), uuidv7()), runner.manager); // the smaller id
        await audit.append(entry('quick'));
        expect(await sut.sealPending()).toBe(1);
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
      expect(await sut.sealPending()).toBe(1);
      expect(await sealedOrder()).toEqual(['quick', 'slow']);
      expect((await verify()).ok).toBe(true);
    },
  );

  it('seals the entries the scan fast path writes inside its own statement (appendFrom)', async () => {
    const d = SqlDialect.of(ds.manager);
    const b = d.binder();
    const insert = AuditRepository.appendFrom(entry('trace-code.scan'), 'src', b);
    await d.run(
      ds.manager,
      d.pg
        ? `WITH src AS (SELECT 1 AS x), audit AS (${insert}) SELECT 1 AS done`
        : insert.replace('FROM src', 'FROM (SELECT 1 AS x) AS src'),
      b.params,
    );
    const stored = async () =>
      (
        await ds.query<{ seq: unknown; content_hash: string | null }[]>(
          "SELECT seq, content_hash FROM audit_log WHERE action = 'trace-code.scan'",
        )
      )[0];
    // The content hash is written by the statement itself, before any sealing.
    expect((await stored()).content_hash).toMatch(/^[0-9a-f]{64}$/);
    await sut.sealPending();
    expect(Number((await stored()).seq)).toBe(1);
    expect((await verify()).ok).toBe(true);
  });

  it('reports on /health: degraded while an entry waits longer than audit.maxUnsealedMinutes, up once sealed', async () => {
    const registry = new HealthRegistry();
    const health = (): AuditHealth => new AuditHealth(chain, config, new SystemClock(), registry);
    await audit.append(entry('old', new Date(Date.now() - 11 * 60_000)));
    expect(await health().check()).toMatchObject({ status: 'degraded', sealedUpTo: 0, unsealed: 1 });
    await sut.sealPending();
    expect(await health().check()).toMatchObject({ status: 'up', sealedUpTo: 1, unsealed: 0, lastCheckpoint: null });
  });

  it('refuses any UPDATE but sealing, and sealing twice', async () => {
    const e = await audit.append(entry('a'));
    await expect(ds.query(`UPDATE audit_log SET outcome = 'failure' WHERE id = '${e.id}'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(
      ds.query(`UPDATE audit_log SET seq = 1, prev_hash = 'p', chain_hash = 'c', action = 'b' WHERE id = '${e.id}'`),
    ).rejects.toThrow(/append-only/);
    await sut.sealPending();
    await expect(
      ds.query(`UPDATE audit_log SET seq = 2, prev_hash = 'p', chain_hash = 'c' WHERE id = '${e.id}'`),
    ).rejects.toThrow(/append-only/);
  });

  it('names exactly the entry whose details were changed behind the trigger', async () => {
    const entries = [entry('one'), entry('two'), entry('three')];
    await audit.appendAll(entries);
    await sut.sealPending();
    await tamper(`UPDATE audit_log SET details = '{"z":2}' WHERE id = '${entries[1].id}'`);

    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ kind: 'content-altered', seq: 2, id: entries[1].id, action: 'two' });
  });

  it('names a deleted entry as missing, also at the end of the chain past a checkpoint', async () => {
    const entries = [entry('one'), entry('two'), entry('three'), entry('four')];
    await audit.appendAll(entries);
    await sut.sealPending();
    const cp = await sut.checkpoint();
    expect(cp).toMatchObject({ seq: 4 });
    expect(await sut.checkpoint()).toBeNull(); // the head did not move
    await tamper(`DELETE FROM audit_log WHERE id = '${entries[2].id}'`);

    const report = await verify();
    expect(report.problem).toMatchObject({ kind: 'entry-missing', seq: 3 });
    expect(report.problem?.detail).toContain(entries[3].id);
    // The last entries gone too: the checkpoint at seq 4 still says the chain was longer.
    await tamper(`DELETE FROM audit_log WHERE id = '${entries[3].id}'`);
    expect((await verify()).problem).toMatchObject({ kind: 'entry-missing', seq: 3 });
  });

  it('catches a history rewritten with every hash recomputed at the checkpoint kept (database or outside copy)', async () => {
    const entries = [entry('one'), entry('two'), entry('three')];
    await audit.appendAll(entries);
    await sut.sealPending();
    const kept = await sut.checkpoint();
    const rows = await chain.page(0, 3, 10);
    let prev = rows[0].chainHash as string;
    const statements: string[] = [];
    for (const r of rows.slice(1)) {
      const detailsText = r.seq === 2 ? '{"z":2}' : r.detailsText;
      const contentHash = contentHashOf({ ...r, detailsText });
      const chainHash = chainHashOf(prev, contentHash);
      statements.push(
        `UPDATE audit_log SET details = '${detailsText}', content_hash = '${contentHash}', prev_hash = '${prev}', chain_hash = '${chainHash}' WHERE id = '${r.id}'`,
      );
      prev = chainHash;
    }
    for (const sql of statements) {
      await tamper(sql);
    }
    expect((await verify()).problem).toMatchObject({ kind: 'checkpoint-mismatch', seq: 3 });
    // The same with only the copy taken from the log (as if audit_checkpoint had been rewritten too).
    expect(
      (await verify({ from: 3, checkpoint: { seq: 3, chainHash: kept?.chainHash as string } })).problem,
    ).toMatchObject({ kind: 'checkpoint-mismatch', seq: 3 });
  });

  it('keeps 6 months in the database whatever asks, prunes from the old end with an anchor verify starts from', async () => {
    const now = Date.now();
    const old = [entry('old-1', new Date(now - 9 * MONTH_MS)), entry('old-2', new Date(now - 8 * MONTH_MS))];
    const young = entry('young', new Date(now - 5 * MONTH_MS));
    const fresh = entry('fresh');
    await audit.appendAll([...old, young, fresh]);
    await sut.sealPending();
    await expect(ds.query(`DELETE FROM audit_log WHERE id = '${young.id}'`)).rejects.toThrow(/6 months/);

    const pruned = await sut.prune();
    expect(pruned).toMatchObject({ deleted: 2, anchor: { kind: 'prune', seq: 2 } });
    expect(await sealedOrder()).toEqual(['young', 'fresh']);
    expect(await verify()).toMatchObject({ ok: true, fromSeq: 3, toSeq: 4, checked: 2 });
    await audit.append(entry('after'));
    await sut.sealPending();
    expect(await verify()).toMatchObject({ ok: true, fromSeq: 3, toSeq: 5 });
  });

  it('exports a period as JSON Lines that verifies offline, and an edited export fails', async () => {
    const day = (d: string) => new Date(`${d}T02:00:00Z`);
    await audit.appendAll([entry('before', day('2026-11-30')), entry('in-1', day('2026-12-01'))]);
    await audit.appendAll([entry('in-2', day('2026-12-02')), entry('after', day('2026-12-03'))]);
    await sut.sealPending();
    const out = join(dataDir, `export-${kind}-${Date.now()}.jsonl`);
    const written = await exportAudit(
      chain,
      { from: new Date('2026-12-01T00:00:00+08:00'), to: new Date('2026-12-03T00:00:00+08:00') },
      out,
      new Date(),
    );
    expect(written).toMatchObject({ count: 2, firstSeq: 2, lastSeq: 3 });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { type: string; action?: string }).action ?? '')).toEqual([
      '',
      'in-1',
      'in-2',
      '',
    ]);
    expect(await checkExportFile(out)).toMatchObject({ ok: true, checked: 2 });

    writeFileSync(out, lines.map((l) => l.replace('"outcome":"success"', '"outcome":"failure"')).join('\n'));
    expect((await checkExportFile(out)).problem).toMatchObject({ kind: 'content-altered', seq: 2 });
  });
});

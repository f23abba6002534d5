import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { openDataSource, runMigrations } from '../../src/platform';

/**
 * 等保 剩余信息保护: what the gateway deletes or overwrites in its SQLite file (pruned sessions, a
 * re-encrypted field's old ciphertext, pruned audit entries) must not stay readable in free pages.
 */
describe('SQLite residual information', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-residual-'));
  const file = join(dir, 'gw.sqlite');
  let ds: DataSource;

  beforeAll(async () => {
    ds = await openDataSource(
      { url: `sqlite:${file}`, poolSize: 1, schema: '', migrateOnStart: false },
      dir,
      GATEWAY_SCHEMA,
    );
    await runMigrations(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  const onDisk = async (marker: string): Promise<boolean> => {
    await ds.query('PRAGMA wal_checkpoint(TRUNCATE)');
    return readFileSync(file).includes(Buffer.from(marker));
  };

  it('zeroes deleted and overwritten values in the database file', async () => {
    const deleted = `pii1:old:DELETED-${'x'.repeat(400)}`;
    const overwritten = `pii1:old:OVERWRITTEN-${'y'.repeat(400)}`;
    await ds.query(`INSERT INTO identity_coverage_cache (subject_key, answer, fetched_at) VALUES (?, ?, ?)`, [
      'k-deleted',
      deleted,
      '2026-12-01 08:00:00.000',
    ]);
    await ds.query(`INSERT INTO identity_coverage_cache (subject_key, answer, fetched_at) VALUES (?, ?, ?)`, [
      'k-overwritten',
      overwritten,
      '2026-12-01 08:00:00.000',
    ]);
    // The test can see a value that is there.
    expect(await onDisk(deleted)).toBe(true);
    expect(await onDisk(overwritten)).toBe(true);

    await ds.query(`DELETE FROM identity_coverage_cache WHERE subject_key = ?`, ['k-deleted']);
    await ds.query(`UPDATE identity_coverage_cache SET answer = ? WHERE subject_key = ?`, [
      'pii2:sm4:new:short',
      'k-overwritten',
    ]);
    expect(await onDisk(deleted)).toBe(false);
    expect(await onDisk(overwritten)).toBe(false);
  });
});

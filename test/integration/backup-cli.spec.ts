import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cli, hospitalYaml } from '../support/cli-run';

describe('gateway backup (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-backup-'));
  const config = hospitalYaml(dir);
  const dbFile = join(dir, 'data', 'gw.sqlite');

  beforeAll(async () => {
    expect((await cli(['pii', 'init', join(dir, 'keys.json')])).code).toBe(0);
    expect((await cli(['migrate', '--config', config])).code).toBe(0);
    // Enough audit entries for the copy to take several steps (1,000 pages each).
    const db = new Database(dbFile);
    const insert = db.prepare(
      `INSERT INTO audit_log (id, at, actor_type, actor_id, action, subject_hash, outcome, correlation_id, details)
       VALUES (?, '2026-12-01 08:00:00.000', 'system', 'test', 'test.fill', NULL, 'success', NULL, ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) {
        insert.run(`0190${String(i).padStart(32, '0')}`, JSON.stringify({ i, pad: 'x'.repeat(200) }));
      }
    })();
    db.close();
  });

  it('copies the database while another process writes, checks the copy, and keeps it private', async () => {
    // Another process, like the running gateway, appends entries without pause during the copy.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         db.pragma('busy_timeout = 5000');
         const insert = db.prepare("INSERT INTO audit_log (id, at, actor_type, actor_id, action, subject_hash, outcome, correlation_id, details) VALUES (?, '2026-12-01 09:00:00.000', 'system', 'test', 'test.during', NULL, 'success', NULL, NULL)");
         let n = 0;
         for (;;) { insert.run('0191' + String(n++).padStart(32, '0')); if (n === 50) process.stdout.write('writing\\n'); }`,
        dbFile,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    const out = join(dir, 'copy.sqlite');
    let r: Awaited<ReturnType<typeof cli>>;
    try {
      r = await cli(['backup', out, '--config', config]);
    } finally {
      writer.kill('SIGKILL');
    }
    expect(r.err).toMatch(/backup: copying .* MB/);
    expect(r.out).toMatch(/integrity check ok, \d+ migrations, \d+ audit entries/);
    expect(r.out).toContain('keyring');
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(existsSync(`${out}.partial`)).toBe(false);

    const copy = new Database(out, { readonly: true });
    try {
      expect(copy.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
      const count = (action: string) =>
        (copy.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE action = ?').get(action) as { n: number }).n;
      expect(count('test.fill')).toBe(20_000);
      expect(count('test.during')).toBeGreaterThanOrEqual(50);
      const reported = Number(/(\d+) audit entries/.exec(r.out)![1]);
      expect(count('test.fill') + count('test.during')).toBe(reported);
    } finally {
      copy.close();
    }
  });

  it('never overwrites a file, and says what to do about a missing folder', async () => {
    const existing = join(dir, 'existing.sqlite');
    writeFileSync(existing, 'keep me');
    const refused = await cli(['backup', existing, '--config', config]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/exists already; a backup never overwrites/);

    const noFolder = await cli(['backup', join(dir, 'nope', 'x.sqlite'), '--config', config]);
    expect(noFolder.code).toBe(2);
    expect(noFolder.err).toMatch(/does not exist — create it first/);

    const noFile = await cli(['backup', '--config', config]);
    expect(noFile.code).toBe(2);
    expect(noFile.err).toMatch(/use: backup <file>/);
  });

  it('names PostgreSQL tools instead of copying a PostgreSQL database', async () => {
    const pg = hospitalYaml(mkdtempSync(join(tmpdir(), 'gw-backup-pg-')));
    writeFileSync(pg, readFileSync(pg, 'utf8').replace(/url: sqlite:.*/, 'url: postgres://u@127.0.0.1:1/x'));
    const r = await cli(['backup', join(dir, 'pg.dump'), '--config', pg]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/PostgreSQL.*pg_dump/s);
  });
});

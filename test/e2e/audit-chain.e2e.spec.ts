import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { cli, hospitalYaml } from '../support/cli-run';
import { startTestApp } from '../support/e2e-app';
import { eventually } from '../support/eventually';

/** The built CLI (npm run test:e2e builds first), run as its own process like `npx gateway …`. */
const CLI_MAIN = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

const gateway = async (args: string[]): Promise<{ code: number; stdout: string }> => {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI_MAIN, ...args]);
    return { code: 0, stdout };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
  }
};

describe('the audit chain through the running gateway and `gateway audit verify`', () => {
  it('the gateway seals what it audits; verify passes, then names the entry changed behind the trigger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-e2e-audit-'));
    const config = hospitalYaml(dir);
    expect((await cli(['pii', 'init', join(dir, 'keys.json')])).code).toBe(0);
    const file = `${dir}/data/gw.sqlite`;
    const t = await startTestApp({ database: { url: `sqlite:${file}` } });
    try {
      await t.token(['identity']); // audited: apikey.create
      const db = new Database(file, { readonly: true });
      try {
        const unsealed = () =>
          (db.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE seq IS NULL').get() as { n: number }).n;
        await eventually(
          () => Promise.resolve(unsealed() === 0),
          'the audit.seal job (every second) to seal every entry',
          10_000,
        );
      } finally {
        db.close();
      }
    } finally {
      await t.close();
    }

    const intact = await gateway(['audit', 'verify', '--config', config]);
    expect(intact.stdout).toMatch(/audit chain intact: [1-9]\d* entries checked/);
    expect(intact.code).toBe(0);

    const out = join(dir, 'period.jsonl');
    expect(
      (await cli(['audit', 'export', '--from', '2020-01-01', '--to', '2100-01-01', '--out', out, '--config', config]))
        .code,
    ).toBe(0);
    expect((await cli(['audit', 'verify', '--file', out])).code).toBe(0);

    const db = new Database(file);
    const victim = db.prepare("SELECT id, seq FROM audit_log WHERE action = 'apikey.create'").get() as {
      id: string;
      seq: number;
    };
    db.exec('DROP TRIGGER audit_log_seal_only');
    db.prepare("UPDATE audit_log SET details = '{}' WHERE id = ?").run(victim.id);
    db.close();
    const broken = await gateway(['audit', 'verify', '--config', config]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`first broken link: seq ${victim.seq}, id ${victim.id}`);
    expect(broken.stdout).toContain('content altered');
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_MAIN } from '../support/agent-process';

/**
 * The desk agent's entry stays light (issue 15, "keep native modules optional"): `gateway agent` loads
 * the drivers, the link and the journal, never Nest, TypeORM, a database driver or the insurer's code, so
 * a desk PC needs none of them; and its commands say what to do when the agent is not set up yet.
 */
describe('the desk agent’s entry point', () => {
  const node = (args: string[]) => spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 20_000 });

  it('loads no framework, ORM, database driver, HTTP client or PDF library', () => {
    const probe = node([
      '-e',
      `require(${JSON.stringify(AGENT_MAIN.replace(/agent-main\.js$/, 'agent-cli.js'))});` +
        'console.log(JSON.stringify(Object.keys(require.cache)));',
    ]);
    expect(probe.status).toBe(0);
    const loaded = JSON.parse(probe.stdout) as string[];
    const heavy = loaded.filter((m) =>
      /node_modules[\\/](typeorm|better-sqlite3|pg|@nestjs|axios|pdfkit|fontkit|@pokusew|node-hid|nestjs-pino)[\\/]/.test(
        m,
      ),
    );
    expect(heavy).toEqual([]);
    expect(
      loaded.some((m) => /[\\/]dist[\\/]src[\\/](upstream|settlement|identity|platform[\\/](database|auth))/.test(m)),
    ).toBe(false);
  });

  it('says how to enrol when there is no credential, and that no agent ran when there is no status', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-agent-entry-'));
    const run = node([AGENT_MAIN, '--data-dir', dir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('not enrolled');
    expect(run.stderr).toContain('gateway agents enroll --desk');
    const status = node([AGENT_MAIN, 'status', '--data-dir', dir]);
    expect(status.status).toBe(1);
    expect(status.stderr).toContain('no desk agent has run');
    const unknown = node([AGENT_MAIN, '--bogus']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
  });

  it('refuses settings it does not know, naming each problem, before anything else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-agent-entry-'));
    writeFileSync(join(dir, 'agent.yaml'), 'maxReadAgeMs: -5\ncolour: blue\n');
    const run = node([AGENT_MAIN, '--data-dir', dir, '--central', 'wss://gw.example:8443', '--enrol', 'ABCDE-FGHJK']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('maxReadAgeMs: expected 0 (never replay a read) or more');
    expect(run.stderr).toContain('colour: not a setting of the agent');
  });
});

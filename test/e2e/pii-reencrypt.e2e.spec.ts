import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { IdentitySession } from '../../src/identity/identity-session.entity';
import { IdentitySessionRepository } from '../../src/identity/identity-session.repository';
import { personKey } from '../../src/identity/person-key';
import { SessionEvidenceCipher } from '../../src/identity/session-evidence';
import {
  decodeKeyring,
  generateKeyringDocument,
  openDataSource,
  PiiCryptoService,
  readKeyringFile,
  runMigrations,
  Transactions,
  writeKeyringFile,
} from '../../src/platform';
import { cli, hospitalYaml } from '../support/cli-run';

const CLI_MAIN = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const ROWS = 300;
const T0 = new Date('2026-11-25T02:00:00.000Z');

/** `gateway pii reencrypt` as a real process, killed with SIGKILL once it has printed `lines` progress lines. */
async function killedMidRun(args: string[], lines: number): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.split('\n').filter((l) => l.includes(' moved, ')).length >= lines) {
      child.kill('SIGKILL');
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
  if (signal === null) {
    throw new Error(`pii reencrypt ended by itself before it was killed:\n${out}\n${err}`);
  }
  return { out, signal };
}

describe('gateway pii reencrypt, killed and run again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-pii-kill-'));
  const config = hospitalYaml(dir);
  const keyring = join(dir, 'keys.json');
  let ds: DataSource;

  const count = async (sql: string): Promise<number> => Number((await ds.query<Array<{ n: number }>>(sql))[0].n);

  beforeAll(async () => {
    if (!existsSync(CLI_MAIN)) {
      throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` (npm run test:e2e does it for you)`);
    }
    // An AES-era installation: its keyring, and identity sessions encrypted with it.
    writeKeyringFile(keyring, generateKeyringDocument('k1', 'aes-256-gcm'));
    const aes = new PiiCryptoService(decodeKeyring(readKeyringFile(keyring)));
    ds = await openDataSource(
      { url: `sqlite:${dir}/data/gw.sqlite`, poolSize: 1, schema: '', migrateOnStart: false },
      `${dir}/data`,
      GATEWAY_SCHEMA,
    );
    await runMigrations(ds);
    const sessions = new IdentitySessionRepository(ds);
    const cipher = new SessionEvidenceCipher(aes);
    await new Transactions(ds).run(async (m) => {
      for (let i = 0; i < ROWS; i++) {
        const certno = `6401041985031${String(i).padStart(4, '0')}X`;
        const row = Object.assign(new IdentitySession(), {
          id: `s-${String(i).padStart(4, '0')}`,
          desk: 'desk-1',
          visitId: null,
          visitKind: 'outpatient',
          subjectKey: personKey(aes, certno),
          evidence: cipher.seal({ evidence: {}, insurerAsked: certno }),
          verdict: 'INCOMPLETE',
          offline: false,
          coverage: 'pending',
          result: '{"checks":[],"missing":[],"sources":[]}',
          token: null,
          tokenExpiresAt: null,
          createdBy: 'system:test',
          createdAt: T0,
          updatedAt: T0,
          expiresAt: T0,
        });
        await sessions.save(row, m);
      }
    });
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  it('moves every row exactly once across a SIGKILL, with progress shown', async () => {
    const rotated = await cli(['pii', 'rotate', keyring, '--algorithm', 'sm4-gcm']);
    expect(rotated.code).toBe(0);
    expect(rotated.out).toMatch(/\(sm4-gcm\).*new lookup key .* \(hmac-sm3\)/);
    const active = readKeyringFile(keyring).active;

    const killed = await killedMidRun(['pii', 'reencrypt', '--config', config, '--batch-size', '1'], 20);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.out).toMatch(/identity_session\.evidence: to \S+: \d+ of 300 moved, 0 failed/);
    const onNewKey = await count(
      `SELECT COUNT(*) AS n FROM identity_session WHERE evidence LIKE 'pii2:sm4:${active}:%'`,
    );
    expect(onNewKey).toBeGreaterThanOrEqual(20);
    expect(onNewKey).toBeLessThan(ROWS);
    // The progress committed with the rows: it counts exactly the rows moved.
    expect(await count(`SELECT moved AS n FROM pii_reencryption WHERE name = 'identity_session.evidence'`)).toBe(
      onNewKey,
    );

    const again = await cli(['pii', 'reencrypt', '--config', config, '--batch-size', '50']);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`identity_session.evidence: to ${active}: 300 of 300 moved, 0 failed`);
    expect(await count(`SELECT COUNT(*) AS n FROM identity_session WHERE evidence LIKE 'pii2:sm4:${active}:%'`)).toBe(
      ROWS,
    );

    const status = await cli(['pii', 'status', '--config', config]);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(new RegExp(`identity_session\\.evidence\\s+300 rows  ${active} 300\\n`));
    expect(status.out).toContain(`to ${active}: 300 of 300 moved, 0 failed; done`);
    expect(readFileSync(keyring, 'utf8')).toContain('"algorithm": "hmac-sm3"');
  });
});

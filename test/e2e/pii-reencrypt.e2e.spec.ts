import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { IdentitySessionRepository } from '../../src/identity/identity-session.repository';
import { personKey } from '../../src/identity/person-key';
import { SessionEvidenceCipher } from '../../src/identity/session-evidence';
import {
  decodeKeyring,
  generateKeyringDocument,
  openDataSource,
  PiiCryptoService,
  readKeyringFile,
  rotateKeyringDocument,
  runMigrations,
  Transactions,
  writeKeyringFile,
} from '../../src/platform';
import request from 'supertest';
import { cli, hospitalYaml } from '../support/cli-run';
import { startTestApp, TestApp } from '../support/e2e-app';
import { storedSession } from '../support/identity-fixtures';

const CLI_MAIN = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const ROWS = 300;
const T0 = new Date('2026-11-25T02:00:00.000Z');

/** `gateway pii reencrypt` as a real process, killed with SIGKILL once it has printed `lines` progress lines of the sessions. */
async function killedMidRun(args: string[], lines: number): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    // Lines of the sessions' batches (other columns, e.g. the empty outbox's, end at once with a line each).
    if (
      out.split('\n').filter((l) => l.startsWith('identity_session.evidence:') && l.includes(' moved, ')).length >=
      lines
    ) {
      child.kill('SIGKILL');
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
  if (signal === null) {
    throw new Error(`pii reencrypt ended by itself before it was killed:\n${out}\n${err}`);
  }
  return { out, signal };
}

/**
 * An AES-era installation in `dir`: its keyring file, and `rows` identity sessions (`s-0000`, …)
 * encrypted with it on SQLite, migrated. Returns the open database.
 */
async function aesEraInstallation(dir: string, keyring: string, rows: number, at: Date): Promise<DataSource> {
  writeKeyringFile(keyring, generateKeyringDocument('k1', 'aes-256-gcm'));
  const aes = new PiiCryptoService(decodeKeyring(readKeyringFile(keyring)));
  const ds = await openDataSource(
    { url: `sqlite:${dir}/data/gw.sqlite`, poolSize: 1, schema: '', migrateOnStart: false },
    `${dir}/data`,
    GATEWAY_SCHEMA,
  );
  await runMigrations(ds);
  const sessions = new IdentitySessionRepository(ds);
  const cipher = new SessionEvidenceCipher(aes);
  await new Transactions(ds).run(async (m) => {
    for (let i = 0; i < rows; i++) {
      const certno = `6401041985031${String(i).padStart(4, '0')}X`;
      const row = storedSession(`s-${String(i).padStart(4, '0')}`, at, {
        subjectKey: personKey(aes, certno),
        evidence: cipher.seal({ evidence: {}, insurerAsked: certno }),
        expiresAt: new Date(at.getTime() + 4 * 3600_000),
      });
      await sessions.save(row, m);
    }
  });
  return ds;
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
    ds = await aesEraInstallation(dir, keyring, ROWS, T0);
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

describe('a running gateway re-encrypting in the background after a rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-pii-live-'));
  const keyring = join(dir, 'keys.json');
  const rows = 200;
  let t: TestApp | undefined;

  afterAll(async () => {
    await t?.close();
  });

  it('keeps answering HIS reads of the sessions it is moving, and ends with every row on the new key', async () => {
    const seeded = await aesEraInstallation(dir, keyring, rows, new Date());
    await seeded.destroy();
    writeKeyringFile(keyring, rotateKeyringDocument(readKeyringFile(keyring), { keyId: 'k2', algorithm: 'sm4-gcm' }));

    // Batches of one row, so the walk takes long enough for reads to land between (and on) its batches.
    t = await startTestApp({
      dataDir: `${dir}/data`,
      database: { url: `sqlite:${dir}/data/gw.sqlite` },
      pii: { keyringFile: keyring, keyring: null, reencryptInBackground: true, reencryptBatchSize: 1 },
    });
    const http = t.app.getHttpServer();
    const identity = await t.token(['identity']);
    const ops = await t.token(['operations']);
    const progress = async (): Promise<string> =>
      (await request(http).get('/health').set('authorization', `Bearer ${ops}`)).body.components.pii.detail as string;

    const seenMidway: string[] = [];
    let reads = 0;
    for (let round = 0; round < 400; round++) {
      const detail = await progress();
      if (detail.includes('every encrypted column is on the active key')) {
        break;
      }
      if (/re-encrypting: [1-9]\d* of \d+ rows moved/.test(detail)) {
        seenMidway.push(detail);
      }
      const ids = Array.from({ length: 4 }, () => `s-${String(Math.floor(Math.random() * rows)).padStart(4, '0')}`);
      const answers = await Promise.all(
        ids.map((id) =>
          request(http).get(`/api/v1/identity/sessions/${id}`).set('authorization', `Bearer ${identity}`),
        ),
      );
      for (const [i, answer] of answers.entries()) {
        expect({ status: answer.status, id: answer.body.id }).toEqual({ status: 200, id: ids[i] });
      }
      reads += answers.length;
    }
    expect(seenMidway.length).toBeGreaterThan(0);
    expect(reads).toBeGreaterThan(0);

    const ds = t.app.get(DataSource);
    const on = async (prefix: string): Promise<number> =>
      Number(
        (
          await ds.query<Array<{ n: number }>>(`SELECT COUNT(*) AS n FROM identity_session WHERE evidence LIKE ?`, [
            `${prefix}%`,
          ])
        )[0].n,
      );
    expect(await on('pii2:sm4:k2:')).toBe(rows);
    expect(await on('pii2:aes:')).toBe(0);
    // Every session still reads after the move.
    const all = await request(http).get('/api/v1/identity/sessions/s-0000').set('authorization', `Bearer ${identity}`);
    expect(all.status).toBe(200);
  });
});

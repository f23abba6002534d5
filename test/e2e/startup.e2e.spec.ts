import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** These tests run the built gateway as a process, as `npm start` does (npm run test:e2e builds first). */
const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

function gateway(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: run \`npm run build\` (npm run test:e2e does it for you)`);
  }
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GW_') && k !== 'GATEWAY_CONFIG'));
  return spawn(process.execPath, [MAIN, ...args], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function collect(child: ChildProcess): { out: () => string; err: () => string; exit: Promise<number | null> } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out: () => out, err: () => err, exit };
}

describe('starting the gateway process', () => {
  it('in sandbox mode: creates its SQLite database and keyring, migrates, prints where it listens, serves /health', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gw-start-'));
    const child = gateway(['--sandbox'], cwd, { GW_SERVER__PORT: '0' });
    const io = collect(child);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening on" within 30 s:\n${io.out()}\n${io.err()}`)), 30_000);
        child.stdout?.on('data', () => {
          const m = /listening on (http:\/\/\S+)/.exec(io.out());
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        void io.exit.then((code) => reject(new Error(`exited with ${code}:\n${io.err()}`)));
      });
      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ mode: 'sandbox', components: { database: { status: 'up' } } });
      expect(existsSync(join(cwd, 'data', 'sandbox.sqlite'))).toBe(true);
      expect(existsSync(join(cwd, 'data', 'keys', 'pii-keyring.json'))).toBe(true);
      expect(io.out()).toContain('database migrations applied');
    } finally {
      child.kill('SIGTERM');
      await io.exit;
    }
  });

  it('with three wrong keys: exits non-zero and names all three', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'gw-start-'));
    const file = join(cwd, 'bad.yaml');
    writeFileSync(file, 'mode: sandbox\nserver:\n  port: 99999\nhospital:\n  fixmedinsCode: 12AB\nlogging:\n  level: chatty\n');
    const io = collect(gateway(['--sandbox'], cwd, { GATEWAY_CONFIG: file }));
    const code = await io.exit;
    expect(code).not.toBe(0);
    expect(io.err()).toContain('server.port: 99999 — expected');
    expect(io.err()).toContain('hospital.fixmedinsCode: "12AB" — expected');
    expect(io.err()).toContain('logging.level: "chatty" — expected one of');
  });
});

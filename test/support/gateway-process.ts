import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built gateway, run as a process like `npm start` does (npm run test:e2e builds first). */
export const GATEWAY_MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

export interface GatewayProcess {
  child: ChildProcess;
  out(): string;
  err(): string;
  exit: Promise<number | null>;
  /** Resolves with the base URL once the gateway prints where it listens. */
  listening: Promise<string>;
}

export function startGatewayProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): GatewayProcess {
  if (!existsSync(GATEWAY_MAIN)) {
    throw new Error(`${GATEWAY_MAIN} is missing: run \`npm run build\` (npm run test:e2e does it for you)`);
  }
  // The test runner's own GW_* variables must not leak into the child's configuration.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('GW_') && k !== 'GATEWAY_CONFIG'),
  );
  const child = spawn(process.execPath, [GATEWAY_MAIN, ...args], {
    cwd,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 30 s:\n${out}\n${err}`)), 30_000);
    child.stdout?.on('data', () => {
      // The banner line, not a log line that also says "listening on" (the sandbox insurer's).
      const m = /^ {2}listening on (http:\/\/[^\s"]+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${err}`));
    });
  });
  listening.catch(() => undefined);
  return { child, out: () => out, err: () => err, exit, listening };
}

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GATEWAY_MAIN, startGatewayProcess, type GatewayProcess } from '../../support/gateway-process';

/** The built console the gateway serves (npm test builds it before jest runs). */
export const CONSOLE_INDEX = join(__dirname, '..', '..', '..', 'dist', 'console', 'index.html');

export interface ConsoleGateway {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The gateway's working directory (its sandbox data: database, keyring). */
  dir: string;
  process: GatewayProcess;
  stop(): Promise<void>;
}

/**
 * The origin of the sandbox insurer that runs inside the gateway, as the start banner names it
 * (`  insurer:  http://127.0.0.1:<port> (sandbox insurer, in this process)`): its /sandbox/* control
 * routes mint QR tokens, for instance.
 */
export function sandboxInsurerOrigin(gateway: ConsoleGateway): string {
  const m = /^ {2}insurer: +(http:\/\/\S+) \(sandbox insurer/m.exec(gateway.process.out());
  if (!m) {
    throw new Error(`the gateway's banner names no sandbox insurer:\n${gateway.process.out()}`);
  }
  return new URL(m[1]).origin;
}

/**
 * The built gateway as `npm start` runs it (sandbox mode: its own SQLite database, keys and the
 * sandbox insurer), in a fresh directory, on free ports of 127.0.0.1; `extraEnv` adds GW_ variables.
 */
export async function startConsoleGateway(extraEnv: Record<string, string> = {}): Promise<ConsoleGateway> {
  if (!existsSync(CONSOLE_INDEX)) {
    throw new Error(`${CONSOLE_INDEX} is missing: run \`npm run build\` (npm test does it for you)`);
  }
  const cwd = mkdtempSync(join(tmpdir(), 'gw-console-'));
  const io = startGatewayProcess(['--sandbox'], cwd, {
    GW_SERVER__HOST: '127.0.0.1',
    GW_SERVER__PORT: '0',
    GW_SANDBOX_INSURER__PORT: '0',
    ...extraEnv,
  });
  let url: string;
  try {
    url = await io.listening;
  } catch (e) {
    rmSync(cwd, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    dir: cwd,
    process: io,
    stop: async () => {
      if (io.child.exitCode === null && io.child.signalCode === null) {
        io.child.kill('SIGTERM');
        await io.exit;
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/**
 * An API key on the running sandbox gateway, made as IT makes one: `gateway apikey create` on the
 * gateway's own data directory (the CLI writes straight to the database). Answers the token, printed once.
 */
export async function createApiKey(gateway: ConsoleGateway, name: string, scopes: string[]): Promise<string> {
  const stdout = await gatewayCli(gateway, [
    'apikey',
    'create',
    '--sandbox',
    '--name',
    name,
    '--scopes',
    scopes.join(','),
    // Keys with the admin scope must expire.
    ...(scopes.includes('admin') ? ['--expires-in', '30d'] : []),
  ]);
  const token = /gwk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/.exec(stdout)?.[0];
  if (token === undefined) {
    throw new Error(`apikey create printed no token:\n${stdout}`);
  }
  return token;
}

/**
 * The built `gateway` CLI (`npm run gateway -- …`) run in the sandbox gateway's directory, as IT or a
 * demo would run it beside the running gateway: answers what it printed. Fails with its output when it
 * exits non-zero.
 */
export async function gatewayCli(gateway: ConsoleGateway, args: string[]): Promise<string> {
  const cli = join(GATEWAY_MAIN, '..', 'cli', 'main.js');
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('GW_') && k !== 'GATEWAY_CONFIG'),
  );
  const { stdout } = await promisify(execFile)(process.execPath, [cli, ...args], { cwd: gateway.dir, env: clean });
  return stdout;
}

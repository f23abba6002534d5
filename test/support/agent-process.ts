import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentStatusView } from '../../src/agents/agent/agent-state';

/** The built desk agent's entry point (`gateway agent` runs it); npm run test:e2e builds first. */
export const AGENT_MAIN = join(__dirname, '..', '..', 'dist', 'src', 'agents', 'agent', 'agent-main.js');

export interface AgentProcess {
  child: ChildProcess;
  dataDir: string;
  out(): string;
  err(): string;
  exit: Promise<number | null>;
  /** The agent's status.json (what `gateway agent status` reads), or null before the first one. */
  status(): AgentStatusView | null;
  /** SIGTERM and wait (a clean stop). */
  stop(): Promise<void>;
  /** SIGKILL and wait: no clean-up at all. */
  kill(): Promise<void>;
}

/** Runs `gateway agent …` as its own process, as on a desk PC. */
export function startAgentProcess(args: string[], dataDir: string): AgentProcess {
  if (!existsSync(AGENT_MAIN)) {
    throw new Error(`${AGENT_MAIN} is missing: run \`npm run build\` (npm run test:e2e does it for you)`);
  }
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GW_')));
  const child = spawn(process.execPath, [AGENT_MAIN, ...args, '--data-dir', dataDir], {
    env: clean,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const signal = async (s: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(s);
    }
    await exit;
  };
  return {
    child,
    dataDir,
    out: () => out,
    err: () => err,
    exit,
    status: () => {
      try {
        return JSON.parse(readFileSync(join(dataDir, 'status.json'), 'utf8')) as AgentStatusView;
      } catch {
        return null;
      }
    },
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}

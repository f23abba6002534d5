import { promises as fs } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'agent.lock';

/** Another agent process already runs with this data directory (two would deliver one journal twice). */
export class AgentLockedError extends Error {
  readonly code = 'AGENT_DIR_IN_USE';
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `another desk agent (pid ${pid}) already runs with the data directory ${dir}: stop it first ` +
        `(one agent per data directory; on Windows see the service "gateway-agent")`,
    );
  }
}

/** Whether a process with this id runs (EPERM: it runs under another account). Works on Windows too. */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory for this process: `agent.lock` holds the owner's pid. A lock left by a
 * process that no longer runs (a crash, a kill) is taken over. Returns the release function.
 */
export async function lockDataDir(dir: string, pid = process.pid): Promise<() => Promise<void>> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      await handle.writeFile(`${pid}\n`);
      await handle.close();
      return async () => {
        const owner = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
        if (owner === pid) {
          await fs.rm(file, { force: true });
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw e;
      }
    }
    const owner = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (owner !== pid && processAlive(owner)) {
      throw new AgentLockedError(dir, owner);
    }
    // Stale: its owner is gone.
    await fs.rm(file, { force: true });
  }
  throw new Error(`could not take ${file}: it keeps reappearing (another agent starting at the same moment?)`);
}

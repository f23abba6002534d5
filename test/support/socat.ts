import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Real pty pairs from socat: a serial line the kernel believes in, for the integration tier.
 * In CI socat is required (CI fails without it); on a developer machine without it the pty
 * tests are skipped with a note saying how to enable them.
 */
export function socatAvailable(): boolean {
  const found = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI === 'true') {
    throw new Error('socat is required in CI for the pty tests (apt-get install socat)');
  }
  if (!found) {
    process.stderr.write(
      '\n[skip] pty serial tests skipped: install socat (apt-get install socat) to run them (CI always does).\n',
    );
  }
  return found;
}

export interface PtyPair {
  hostPath: string;
  devicePath: string;
  stop(): Promise<void>;
}

export async function startPtyPair(dir: string, name = 'tty'): Promise<PtyPair> {
  const hostPath = join(dir, `${name}-host`);
  const devicePath = join(dir, `${name}-device`);
  const child: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 5000;
  while (!(existsSync(hostPath) && existsSync(devicePath))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('socat did not create the pty pair within 5 s');
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return {
    hostPath,
    devicePath,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The folder holding package.json. Source files run from `src/…` under ts-jest and from
 * `dist/src/…` when built, so relative `__dirname` hops would differ; walking up is stable.
 */
export function projectRoot(): string {
  if (cached) {
    return cached;
  }
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`Cannot find the gateway's package.json above ${__dirname}`);
    }
    dir = parent;
  }
  cached = dir;
  return dir;
}

let version: string | undefined;

/** The gateway's version, from package.json (read once). */
export function gatewayVersion(): string {
  version ??= (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The `gateway` command (package.json "bin"; `npm run gateway -- …` runs it too): builds only when a
 * compiled input changed since the last build (see build-freshness.js), then runs the compiled CLI,
 * dist/src/cli/main.js, with the same arguments and exit code.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { ensureBuilt, PROJECT_ROOT } = require('./build-freshness');

const built = ensureBuilt(PROJECT_ROOT);
if (built !== 0) {
  process.exit(built);
}
const result = spawnSync(
  process.execPath,
  [path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'main.js'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 1);

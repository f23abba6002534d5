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
// `gateway agent …` runs the desk agent's own entry: no database drivers, no Nest (docs/agents.md).
const agent = process.argv[2] === 'agent';
const entry = agent
  ? path.join(PROJECT_ROOT, 'dist', 'src', 'agents', 'agent', 'agent-main.js')
  : path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'main.js');
const result = spawnSync(process.execPath, [entry, ...process.argv.slice(agent ? 3 : 2)], { stdio: 'inherit' });
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 1);

// @ts-check
/* global __dirname */
'use strict';
/**
 * Builds the gateway (`nest build`) only when a compiled input changed since the last build, so
 * `npm run gateway -- …`, `npm start`, `npm run sandbox`, `npm run bench` and `npm run test:e2e` do
 * not spend a full build on every call. Plain CommonJS: it runs before anything is compiled.
 *
 * Compiled inputs: every `.ts` under src/, drivers/ and test/ (what tsconfig.json includes; test/
 * holds the bench), tsconfig*.json, nest-cli.json and package.json. The stamp, dist/.build-stamp,
 * is dated to when the last successful build STARTED (an edit made during a build counts as newer)
 * and holds a digest of the input paths (an added or deleted file makes the build stale too).
 *
 *   node src/cli/build-freshness.js           builds if stale
 *   node src/cli/build-freshness.js --force   builds always (npm run build)
 */
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const SOURCE_DIRS = ['src', 'drivers', 'test'];
const STAMP = path.join('dist', '.build-stamp');

/** @param {string} root @returns {string[]} the compiled inputs, relative to root, sorted */
function buildInputs(root) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} rel */
  const walk = (rel) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
          walk(child);
        }
      } else if (entry.name.endsWith('.ts')) {
        files.push(child);
      }
    }
  };
  SOURCE_DIRS.forEach(walk);
  for (const name of fs.readdirSync(root)) {
    if (/^tsconfig.*\.json$/.test(name) || name === 'nest-cli.json' || name === 'package.json') {
      files.push(name);
    }
  }
  return files.sort();
}

/** @param {string[]} files */
function digest(files) {
  return createHash('sha256').update(files.join('\n')).digest('hex');
}

/**
 * Whether `root` needs a build, and why (for the one line the launcher prints).
 * @param {string} root
 * @returns {{ stale: boolean, reason: string }}
 */
function buildState(root) {
  const stampFile = path.join(root, STAMP);
  let stamp;
  try {
    stamp = { mtimeMs: fs.statSync(stampFile).mtimeMs, digest: fs.readFileSync(stampFile, 'utf8').trim() };
  } catch {
    return { stale: true, reason: 'no build yet' };
  }
  const files = buildInputs(root);
  if (digest(files) !== stamp.digest) {
    return { stale: true, reason: 'source files were added or removed' };
  }
  for (const file of files) {
    if (fs.statSync(path.join(root, file)).mtimeMs > stamp.mtimeMs) {
      return { stale: true, reason: `${file} changed` };
    }
  }
  return { stale: false, reason: 'up to date' };
}

/**
 * Records a successful build that started at `startedAtMs`.
 * @param {string} root
 * @param {number} startedAtMs
 */
function markBuilt(root, startedAtMs) {
  const stampFile = path.join(root, STAMP);
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, `${digest(buildInputs(root))}\n`);
  const at = new Date(startedAtMs);
  fs.utimesSync(stampFile, at, at);
}

/**
 * Runs `nest build` when stale (or always with `force`); progress goes to stderr so a command's
 * output stays clean. Returns the build's exit code (0 when nothing had to be done).
 * @param {string} root
 * @param {{ force?: boolean }} [options]
 * @returns {number}
 */
function ensureBuilt(root, options = {}) {
  const state = options.force ? { stale: true, reason: 'build requested' } : buildState(root);
  if (!state.stale) {
    return 0;
  }
  process.stderr.write(`[gateway] building (${state.reason}) …\n`);
  const startedAtMs = Date.now();
  const nest = require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] });
  const result = spawnSync(process.execPath, [nest, 'build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  if (result.status !== 0) {
    process.stderr.write(`[gateway] build failed (exit ${result.status ?? result.signal})\n`);
    return result.status || 1;
  }
  markBuilt(root, startedAtMs);
  return 0;
}

/** The project root: src/cli/ is two levels below it. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

module.exports = { buildInputs, buildState, markBuilt, ensureBuilt, PROJECT_ROOT, STAMP };

if (require.main === module) {
  process.exit(ensureBuilt(PROJECT_ROOT, { force: process.argv.includes('--force') }));
}

// @ts-check
/* global __dirname */
'use strict';
/**
 * Builds the gateway (`nest build`) and the web console (`vite build`) only when one of their
 * inputs changed since the last build, so `npm run gateway -- …`, `npm start`, `npm run sandbox`,
 * `npm run bench` and `npm run test:e2e` do not spend a full build on every call. Plain CommonJS:
 * it runs before anything is compiled.
 *
 * Two targets, each with its own inputs and stamp:
 * - gateway: every `.ts` under src/ (except src/console/), drivers/ and test/ (what tsconfig.json
 *   includes; test/ holds the bench), tsconfig*.json, nest-cli.json and package.json;
 *   stamp dist/.build-stamp; output dist/src, dist/drivers, dist/test.
 * - console: every file under src/console/ (.vue, .ts, .html, its tsconfig and vite config), the
 *   gateway modules it bundles as they are (CONSOLE_SHARED: the transaction names) and
 *   package.json; stamp dist/.console-build-stamp; output dist/console (hashed assets).
 * A stamp is dated to when the last successful build STARTED (an edit made during a build counts
 * as newer) and holds a digest of the input paths (an added or deleted file makes it stale too).
 *
 *   node src/cli/build-freshness.js           builds what is stale
 *   node src/cli/build-freshness.js --force   builds both always (npm run build)
 */
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const SOURCE_DIRS = ['src', 'drivers', 'test'];
const CONSOLE_DIR = path.join('src', 'console');
/** Gateway modules the console bundles as they are (plain constants without imports). */
const CONSOLE_SHARED = [path.join('src', 'upstream', 'protocol', 'transactions.ts')];
const STAMP = path.join('dist', '.build-stamp');
const CONSOLE_STAMP = path.join('dist', '.console-build-stamp');

/**
 * @param {string} root
 * @param {string} rel the directory to walk, relative to root
 * @param {(file: string) => boolean} keep which files count (paths relative to root)
 * @param {string[]} files where to add them
 */
function walk(root, rel, keep, files) {
  let entries;
  try {
    entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const child = path.join(rel, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.') && child !== CONSOLE_DIR) {
        walk(root, child, keep, files);
      }
    } else if (keep(child)) {
      files.push(child);
    }
  }
}

/** @param {string} root @returns {string[]} the gateway's compiled inputs, relative to root, sorted */
function buildInputs(root) {
  /** @type {string[]} */
  const files = [];
  for (const dir of SOURCE_DIRS) {
    walk(root, dir, (file) => file.endsWith('.ts'), files);
  }
  for (const name of fs.readdirSync(root)) {
    if (/^tsconfig.*\.json$/.test(name) || name === 'nest-cli.json' || name === 'package.json') {
      files.push(name);
    }
  }
  return files.sort();
}

/** @param {string} root @returns {string[]} the console's inputs (every file of src/console/, the gateway modules it bundles, package.json), sorted */
function consoleInputs(root) {
  /** @type {string[]} */
  const files = [];
  // walk() skips src/console when met inside src/; here it is the starting point.
  let entries;
  try {
    entries = fs.readdirSync(path.join(root, CONSOLE_DIR), { withFileTypes: true });
  } catch {
    return [];
  }
  for (const entry of entries) {
    const child = path.join(CONSOLE_DIR, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
        walk(root, child, () => true, files);
      }
    } else {
      files.push(child);
    }
  }
  for (const shared of [...CONSOLE_SHARED, 'package.json']) {
    if (fs.existsSync(path.join(root, shared))) {
      files.push(shared);
    }
  }
  return files.sort();
}

/**
 * @typedef {{ name: string, stamp: string, inputs: (root: string) => string[], command: (root: string) => string[] }} Target
 * @type {{ gateway: Target, console: Target }}
 */
const TARGETS = {
  gateway: {
    name: 'gateway',
    stamp: STAMP,
    inputs: buildInputs,
    command: (root) => [require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] }), 'build'],
  },
  console: {
    name: 'console',
    stamp: CONSOLE_STAMP,
    inputs: consoleInputs,
    command: (root) => [
      // vite's exports do not list its bin; its package.json is listed, and the bin sits beside it.
      path.join(path.dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js'),
      'build',
      '--config',
      path.join(CONSOLE_DIR, 'vite.config.mts'),
      '--logLevel',
      'warn',
    ],
  },
};

/** @param {string[]} files */
function digest(files) {
  return createHash('sha256').update(files.join('\n')).digest('hex');
}

/**
 * Whether a target of `root` needs a build, and why (for the one line the launcher prints).
 * @param {string} root
 * @param {Target} [target] the gateway unless named
 * @returns {{ stale: boolean, reason: string }}
 */
function buildState(root, target = TARGETS.gateway) {
  const stampFile = path.join(root, target.stamp);
  let stamp;
  try {
    stamp = { mtimeMs: fs.statSync(stampFile).mtimeMs, digest: fs.readFileSync(stampFile, 'utf8').trim() };
  } catch {
    return { stale: true, reason: 'no build yet' };
  }
  const files = target.inputs(root);
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
 * @param {Target} [target] the gateway unless named
 */
function markBuilt(root, startedAtMs, target = TARGETS.gateway) {
  const stampFile = path.join(root, target.stamp);
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, `${digest(target.inputs(root))}\n`);
  const at = new Date(startedAtMs);
  fs.utimesSync(stampFile, at, at);
}

/**
 * Builds each stale target (or every target with `force`): the gateway with `nest build`, the
 * console with `vite build`. Progress goes to stderr so a command's output stays clean. Returns
 * the first failing build's exit code (0 when all is built or nothing had to be done).
 * @param {string} root
 * @param {{ force?: boolean }} [options]
 * @returns {number}
 */
function ensureBuilt(root, options = {}) {
  for (const target of [TARGETS.gateway, TARGETS.console]) {
    const state = options.force ? { stale: true, reason: 'build requested' } : buildState(root, target);
    if (!state.stale) {
      continue;
    }
    process.stderr.write(`[gateway] building the ${target.name} (${state.reason}) …\n`);
    const startedAtMs = Date.now();
    const result = spawnSync(process.execPath, target.command(root), {
      cwd: root,
      stdio: ['ignore', process.stderr, 'inherit'],
    });
    if (result.status !== 0) {
      process.stderr.write(`[gateway] ${target.name} build failed (exit ${result.status ?? result.signal})\n`);
      return result.status || 1;
    }
    markBuilt(root, startedAtMs, target);
  }
  return 0;
}

/** The project root: src/cli/ is two levels below it. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

module.exports = {
  buildInputs,
  consoleInputs,
  buildState,
  markBuilt,
  ensureBuilt,
  PROJECT_ROOT,
  STAMP,
  CONSOLE_STAMP,
  TARGETS,
};

if (require.main === module) {
  process.exit(ensureBuilt(PROJECT_ROOT, { force: process.argv.includes('--force') }));
}

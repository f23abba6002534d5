// @ts-check
/* global __dirname */
'use strict';
/**
 * CI cache for better-sqlite3's native addon. This registry mirror has no prebuilt binaries
 * (GitHub is unreachable), so `npm install` compiles SQLite from source: about 100 s of one core,
 * the largest part of the install. prebuild-install, which better-sqlite3 runs first, looks in
 * npm's cache (<cache>/_prebuilds/<first 6 hex of sha512(url)>-<asset name>) before it downloads;
 * after an install this puts the addon just compiled there, in that layout, so the next install on
 * the same machine unpacks it instead. Keyed by the download address, i.e. by package version,
 * Node ABI, platform and architecture: another version or Node compiles again.
 *
 * Never fails the run: a cache that cannot be written only means the next install compiles.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function main() {
  const root = path.resolve(__dirname, '..');
  const pkgDir = path.join(root, 'node_modules', 'better-sqlite3');
  const addon = path.join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(addon)) {
    return 'better-sqlite3 has no compiled addon here; nothing to keep';
  }
  const util = require(require.resolve('prebuild-install/util', { paths: [pkgDir] }));
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const url = util.getDownloadUrl({
    pkg,
    runtime: 'node',
    abi: process.versions.modules,
    platform: process.platform,
    arch: process.arch,
    libc: '',
    'tag-prefix': 'v',
  });
  const cacheDir = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  const target = path.join(cacheDir, '_prebuilds', path.basename(util.cachedPrebuild(url)));
  if (fs.existsSync(target)) {
    return `kept already: ${target}`;
  }
  // Load it first: only an addon this Node can open is kept.
  execFileSync(process.execPath, ['-e', `new (require(${JSON.stringify(pkgDir)}))(':memory:').close()`]);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.tmp`;
  execFileSync('tar', ['-czf', partial, '-C', pkgDir, 'build/Release/better_sqlite3.node']);
  fs.renameSync(partial, target);
  return `kept for the next install: ${target}`;
}

try {
  process.stdout.write(`better-sqlite3 addon: ${main()}\n`);
} catch (e) {
  process.stdout.write(
    `better-sqlite3 addon: not kept (${e instanceof Error ? e.message : String(e)}); the next install compiles it\n`,
  );
}

// @ts-check
/* global __dirname */
'use strict';
/**
 * Writes the gateway's software bill of materials: CycloneDX JSON of the production dependencies
 * as installed, with the gateway itself as the described application. Offline: npm reads
 * node_modules and package-lock.json only. Plain CommonJS, no dependencies.
 *
 * `npm sbom --omit=dev` (npm 11.19) leaves out production packages that a dev package depends on
 * too (@nestjs/core, rxjs, reflect-metadata, class-validator went missing), so this asks npm for
 * the whole tree and keeps what package-lock.json says production installs (every package not
 * marked `dev`; `devOptional` ones are installed with the production optional dependencies).
 *
 *   npm run sbom [-- <output file>]        default dist/sbom.cdx.json
 */
const { spawn } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const root = join(__dirname, '..', '..');

/** @param {string[]} args @returns {Promise<{ code: number, stdout: string, stderr: string }>} */
function npm(args) {
  return new Promise((resolvePromise) => {
    const child = spawn('npm', args, { cwd: root, shell: process.platform === 'win32' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', (e) => resolvePromise({ code: 1, stdout, stderr: `${stderr}\n${e.message}` }));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/** `name@version` of every package production installs, from package-lock.json. */
function productionPackages() {
  let lock;
  try {
    lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  } catch (e) {
    throw new Error(`cannot read package-lock.json (${e instanceof Error ? e.message : e}): run npm install first`);
  }
  /** @type {Set<string>} */
  const found = new Set();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || entry.dev || entry.link) {
      continue;
    }
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    found.add(`${name}@${entry.version}`);
  }
  return found;
}

async function main() {
  const out = resolve(process.argv[2] ?? join(root, 'dist', 'sbom.cdx.json'));
  const run = await npm(['sbom', '--sbom-format', 'cyclonedx', '--sbom-type', 'application']);
  /** @type {any} */
  let bom;
  try {
    bom = JSON.parse(run.stdout);
  } catch {
    bom = undefined;
  }
  if (run.code !== 0 || !bom || bom.bomFormat !== 'CycloneDX') {
    throw new Error(
      `npm sbom failed (exit ${run.code}): ${run.stderr.trim() || run.stdout.slice(0, 500)}\n` +
        'It needs npm 10 or later and the installed dependencies: run npm install first.',
    );
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const production = productionPackages();
  const rootRef = bom.metadata?.component?.['bom-ref'];
  /** @param {string} ref */
  const kept = (ref) => ref === rootRef || production.has(ref);
  bom.components = (bom.components ?? []).filter((/** @type {any} */ c) => production.has(`${c.name}@${c.version}`));
  bom.dependencies = (bom.dependencies ?? [])
    .filter((/** @type {any} */ d) => kept(d.ref))
    .map((/** @type {any} */ d) => ({ ...d, dependsOn: (d.dependsOn ?? []).filter(kept) }));
  // npm names the application after its folder; the SBOM should name the product.
  if (bom.metadata && bom.metadata.component) {
    bom.metadata.component.name = pkg.name;
    bom.metadata.component.version = pkg.version;
    bom.metadata.component.description = pkg.description;
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(bom, null, 2)}\n`);
  process.stdout.write(
    `wrote ${out}: CycloneDX ${bom.specVersion}, ${(bom.components ?? []).length} production components of ${pkg.name} ${pkg.version}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`sbom: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});

// @ts-check
'use strict';
/**
 * Runs npm scripts side by side, each group in order, and fails when any fails: `npm test` runs the
 * lint beside the type check and the build (each uses one core; the machines have two). Each script's
 * output is printed as a whole when it ends, so the logs do not interleave. Plain CommonJS, no
 * dependencies: it runs before anything is compiled.
 *
 *   node src/cli/run-parallel.js lint "check build"   → `npm run lint` beside (`npm run check`, then `npm run build`)
 */
const { spawn } = require('node:child_process');

/** @param {string} script @returns {Promise<{ code: number, output: string }>} */
function runScript(script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], {
      shell: process.platform === 'win32',
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    child.on('error', (e) => resolve({ code: 1, output: `${output}\n${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** @param {string[]} group @returns {Promise<boolean>} */
async function runGroup(group) {
  for (const script of group) {
    const started = Date.now();
    const { code, output } = await runScript(script);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    process.stdout.write(`\n── npm run ${script}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds} s\n`);
    if (output.trim() !== '') {
      process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    }
    if (code !== 0) {
      return false;
    }
  }
  return true;
}

async function main() {
  const groups = process.argv.slice(2).map((arg) => arg.split(/\s+/).filter(Boolean));
  if (groups.length === 0) {
    process.stderr.write('use: node src/cli/run-parallel.js <script> ["<script> <then script>"] ...\n');
    process.exit(2);
  }
  const results = await Promise.all(groups.map(runGroup));
  process.exit(results.every(Boolean) ? 0 : 1);
}

void main();

// @ts-check
/* global __dirname */
'use strict';
/**
 * The supply-chain gate (docs/security.md, "Supply chain"): `npm audit --omit=dev --json` on the
 * production dependencies, and a failure for every high or critical advisory that the reviewed
 * allow-list (config/audit-allowlist.json) does not allow. Plain CommonJS, no dependencies: it runs
 * before anything is compiled (.ci/run, before npm test).
 *
 *   node src/cli/dependency-audit.js [--allowlist <file>] [--registry <url>]
 *   npm run audit:deps
 *
 * Exit status: 0 passed (or the advisory service could not be reached, said loudly, and
 * AUDIT_REQUIRED is not 1); 1 an advisory not allowed, an expired allowance, or an allow-list that
 * cannot be read; 2 the advisory service could not be reached and AUDIT_REQUIRED=1.
 */
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const FAILING = new Set(['high', 'critical']);
const ADVISORY_ID = /^(GHSA(-[23456789cfghjmpqrvwx]{4}){3}|\d+)$/;

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ allowlist: string, registry?: string }} */
  const out = { allowlist: join(__dirname, '..', '..', 'config', 'audit-allowlist.json') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if ((arg === '--allowlist' || arg === '--registry') && argv[i + 1]) {
      out[arg.slice(2) === 'allowlist' ? 'allowlist' : 'registry'] = argv[++i];
    } else {
      throw new Error(`unknown argument ${arg}: use [--allowlist <file>] [--registry <url>]`);
    }
  }
  return out;
}

/**
 * @typedef {{ advisory: string, package: string, reason: string, reviewer: string, expires: string }} Allowance
 * @typedef {{ id: string, source: string, ghsa: string | undefined, package: string, severity: string, title: string, url: string }} Advisory
 */

/**
 * The reviewed allow-list, checked entry by entry.
 * @param {string} file
 * @returns {{ allowances: Allowance[], problems: string[] }}
 */
function readAllowlist(file) {
  let doc;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { allowances: [], problems: [`cannot read the allow-list ${file}: ${e instanceof Error ? e.message : e}`] };
  }
  const list = doc && Array.isArray(doc.allowances) ? doc.allowances : undefined;
  if (!list) {
    return { allowances: [], problems: [`${file}: expected { "allowances": [ … ] }`] };
  }
  /** @type {string[]} */
  const problems = [];
  /** @type {Allowance[]} */
  const allowances = [];
  list.forEach((/** @type {Record<string, unknown>} */ entry, /** @type {number} */ i) => {
    const where = `${file} allowances[${i}]`;
    const missing = ['advisory', 'package', 'reason', 'reviewer', 'expires'].filter(
      (k) => typeof entry[k] !== 'string' || !String(entry[k]).trim(),
    );
    if (missing.length > 0) {
      problems.push(`${where}: missing ${missing.join(', ')} (every allowance names them all)`);
      return;
    }
    const a = /** @type {Allowance} */ (/** @type {unknown} */ (entry));
    if (!ADVISORY_ID.test(a.advisory)) {
      problems.push(
        `${where}: advisory ${a.advisory} is neither a GHSA id (GHSA-xxxx-xxxx-xxxx) nor an npm advisory number`,
      );
      return;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(a.expires) || Number.isNaN(Date.parse(`${a.expires}T00:00:00Z`))) {
      problems.push(`${where}: expires ${a.expires} is not a date (YYYY-MM-DD)`);
      return;
    }
    allowances.push(a);
  });
  return { allowances, problems };
}

/**
 * Every advisory of the report, once per package (npm lists an advisory under the package it is
 * about, and again as "via" of each package that depends on it: only the first counts).
 * @param {any} report
 * @returns {Advisory[]}
 */
function advisoriesOf(report) {
  /** @type {Map<string, Advisory>} */
  const found = new Map();
  for (const vuln of Object.values(report.vulnerabilities ?? {})) {
    for (const via of /** @type {any} */ (vuln).via ?? []) {
      if (typeof via !== 'object' || via === null) {
        continue;
      }
      const url = String(via.url ?? '');
      const ghsa = /GHSA(-[a-z0-9]{4}){3}/i.exec(url)?.[0];
      const source = String(via.source ?? '');
      const key = `${via.name}|${ghsa ?? source}`;
      if (!found.has(key)) {
        found.set(key, {
          id: ghsa ?? source,
          source,
          ghsa,
          package: String(via.name),
          severity: String(via.severity),
          title: String(via.title ?? ''),
          url,
        });
      }
    }
  }
  return [...found.values()];
}

/** @param {Advisory} adv @param {Allowance} a */
function allows(a, adv) {
  return a.package === adv.package && (a.advisory === adv.ghsa || a.advisory === adv.source);
}

/** @param {string[]} args @returns {Promise<{ code: number, stdout: string, stderr: string }>} */
function npm(args) {
  return new Promise((resolvePromise) => {
    const child = spawn('npm', args, {
      shell: process.platform === 'win32',
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', (e) => resolvePromise({ code: 1, stdout, stderr: `${stderr}\n${e.message}` }));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/** @param {string} line */
const say = (line) => process.stdout.write(`${line}\n`);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const required = process.env.AUDIT_REQUIRED === '1';
  const today = new Date().toISOString().slice(0, 10);
  const { allowances, problems } = readAllowlist(resolve(args.allowlist));

  const run = await npm(['audit', '--omit=dev', '--json', ...(args.registry ? ['--registry', args.registry] : [])]);
  /** @type {any} */
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    report = undefined;
  }

  let failed = problems.length > 0;
  for (const problem of problems) {
    say(`FAIL ${problem}`);
  }
  for (const a of allowances) {
    if (a.expires < today) {
      failed = true;
      say(
        `FAIL allowance of ${a.advisory} (${a.package}) expired on ${a.expires} (reviewed by ${a.reviewer}): ` +
          'review it again: upgrade the package, or renew the allowance with a new date and reason.',
      );
    }
  }

  if (!report || typeof report.vulnerabilities !== 'object' || report.vulnerabilities === null) {
    const why = (report && report.message) || run.stderr.trim().split('\n').pop() || `npm audit exited ${run.code}`;
    const banner = '!'.repeat(100);
    say(banner);
    say('!! DEPENDENCY AUDIT NOT DONE: the advisory service could not be reached.');
    say(`!! npm audit said: ${why}`);
    say('!! No production dependency was checked for known vulnerabilities by this run.');
    say(
      required
        ? '!! AUDIT_REQUIRED=1: this is a failure. Make the registry (or --registry <url>) answer the bulk advisory POST.'
        : '!! Not a failure here (AUDIT_REQUIRED is not 1). Sites whose registry has the advisory service set AUDIT_REQUIRED=1.',
    );
    say(banner);
    process.exitCode = failed ? 1 : required ? 2 : 0;
    return;
  }

  const advisories = advisoriesOf(report);
  const used = new Set();
  for (const adv of advisories) {
    const allowance = allowances.find((a) => allows(a, adv));
    if (!FAILING.has(adv.severity)) {
      say(`note ${adv.severity} ${adv.id} in ${adv.package}: ${adv.title} (${adv.url}) — below high, not a failure`);
      continue;
    }
    if (allowance) {
      used.add(allowance);
      if (allowance.expires >= today) {
        say(
          `allowed ${adv.severity} ${adv.id} in ${adv.package}: ${adv.title} — until ${allowance.expires}, ` +
            `reviewed by ${allowance.reviewer}: ${allowance.reason}`,
        );
      }
      continue;
    }
    failed = true;
    say(
      `FAIL ${adv.severity} ${adv.id} in ${adv.package} (production dependency): ${adv.title} (${adv.url}). ` +
        `Upgrade it (npm audit fix --omit=dev, or npm update ${adv.package}); or, after review, allow it in ${args.allowlist}.`,
    );
  }
  for (const a of allowances) {
    if (!used.has(a) && a.expires >= today) {
      say(`note allowance of ${a.advisory} (${a.package}) matched no advisory: remove it from the allow-list.`);
    }
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  say(
    `dependency audit (production dependencies): ${advisories.length} advisor${advisories.length === 1 ? 'y' : 'ies'} ` +
      `(critical ${counts.critical ?? 0}, high ${counts.high ?? 0}, moderate ${counts.moderate ?? 0}, low ${counts.low ?? 0}) — ` +
      (failed ? 'FAILED' : 'passed'),
  );
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`dependency audit: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});

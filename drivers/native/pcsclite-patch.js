// @ts-check
/* global __dirname */
'use strict';
/**
 * Builds the gateway's patched copy of @pokusew/pcsclite 0.6.0 in node_modules/.cache/gw-pcsclite/ (run by
 * `npm install` as postinstall, or by `npm run native:pcsclite`). Plain CommonJS: it runs
 * before anything is compiled. node_modules is never changed: the installed package is copied
 * (binding.gyp, package.json, lib/, src/), its C++ patched, and compiled with node-gyp;
 * drivers/transports/pcsclite-transport.ts loads the copy when it is there, else the package.
 *
 * What the patch fixes (the binding's C++, 0.6.0):
 * - A reader's status thread loops `while (!m_state) { SCardGetStatusChange(…INFINITE…); …
 *   uv_async_send(); }` and tells the event loop to close its uv_async handle only from inside
 *   the loop body (do_exit). When close() sets m_state between two waits (after a status was
 *   sent, before the next SCardGetStatusChange: right after an event, e.g. the first status),
 *   the loop ends at its condition without that message: the handle stays open and referenced,
 *   and Node never exits by itself. Likewise when close() comes before the thread's first wait.
 *   Patched: a thread that leaves its loop that way sends one last do_exit message.
 * - close() (of a reader and of the context) calls SCardCancel five times 10 ms apart and then
 *   joins the thread. SCardCancel only interrupts a wait already inside SCardGetStatusChange
 *   (pcsc-lite ignores it before), so a thread that takes longer than that to get there made the
 *   join block the event loop until the next card event. Patched: close() cancels every 10 ms
 *   until the thread says it has left its loop.
 *
 *   node drivers/native/pcsclite-patch.js           builds when the copy is missing or stale
 *   node drivers/native/pcsclite-patch.js --force   builds always
 * It never fails `npm install`: when the package is not installed (an optional dependency), is
 * another version, or the build fails, it says so and the gateway uses the package as it is.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
/** Where the patched copy is built, relative to the project root. */
const PATCHED_DIR = path.join('node_modules', '.cache', 'gw-pcsclite');
const UPSTREAM = '@pokusew/pcsclite';
const UPSTREAM_VERSION = '0.6.0';
/** Recorded in the copy's package.json; bump it when the replacements change. */
const PATCH_ID = 'gateway-status-thread-exit-1';
const MARK = '[gateway patch]';

/** @typedef {{ file: string, find: string, replace: string }} Replacement */

/** @type {Replacement[]} Each `find` must occur exactly once in the 0.6.0 source. */
const REPLACEMENTS = [
  {
    file: 'src/cardreader.h',
    find: '        int m_state;\n',
    replace: `        int m_state;\n        bool m_status_thread_done; // ${MARK} the status thread has left its loop\n`,
  },
  {
    file: 'src/cardreader.cpp',
    find: '                                                        m_state(0) {\n',
    replace:
      '                                                        m_state(0),\n' +
      '                                                        m_status_thread_done(false) {\n',
  },
  {
    file: 'src/cardreader.cpp',
    find: [
      '        if (obj->m_state == 0) {',
      '            int ret;',
      '            int times = 0;',
      '            obj->m_state = 1;',
      '            do {',
      '                result = SCardCancel(obj->m_status_card_context);',
      '                ret = uv_cond_timedwait(&obj->m_cond, &obj->m_mutex, 10000000);',
      '            } while ((ret != 0) && (++ times < 5));',
      '        }',
      '',
    ].join('\n'),
    replace: [
      '        if (obj->m_state == 0) {',
      '            obj->m_state = 1;',
      '        }',
      `        // ${MARK} Cancel until the status thread has left its loop: SCardCancel only`,
      '        // interrupts a wait already inside SCardGetStatusChange.',
      '        while (!obj->m_status_thread_done) {',
      '            result = SCardCancel(obj->m_status_card_context);',
      '            uv_cond_timedwait(&obj->m_cond, &obj->m_mutex, 10000000);',
      '        }',
      '',
    ].join('\n'),
  },
  {
    file: 'src/cardreader.cpp',
    find: '    while (!reader->m_state) {\n\n        result = SCardGetStatusChange(',
    replace: `    bool exit_sent = false; // ${MARK}\n    while (!reader->m_state) {\n\n        result = SCardGetStatusChange(`,
  },
  {
    file: 'src/cardreader.cpp',
    find: '        async_baton->async_result->do_exit = (reader->m_state != 0);\n',
    replace:
      '        async_baton->async_result->do_exit = (reader->m_state != 0);\n' +
      `        exit_sent = async_baton->async_result->do_exit; // ${MARK}\n`,
  },
  {
    file: 'src/cardreader.cpp',
    find: '    // Exit flag set in keepwatching and handled in following uv_async_send\n}\n',
    replace: [
      '    // Exit flag set in keepwatching and handled in following uv_async_send',
      '',
      `    // ${MARK} The loop also ends at its condition when close() came between two waits`,
      '    // (or before the first): then the event loop is told here to close the async handle,',
      '    // which otherwise stayed open and kept Node alive. close() waits for',
      '    // m_status_thread_done, so it is still joining this thread when the message is sent.',
      '    uv_mutex_lock(&reader->m_mutex);',
      '    if (!exit_sent) {',
      '        async_baton->async_result->do_exit = true;',
      '        async_baton->async_result->result = SCARD_S_SUCCESS;',
      '        async_baton->async_result->status = 0;',
      '        async_baton->async_result->atrlen = 0;',
      '    }',
      '    reader->m_status_thread_done = true;',
      '    uv_cond_signal(&reader->m_cond);',
      '    uv_mutex_unlock(&reader->m_mutex);',
      '    if (!exit_sent) {',
      '        uv_async_send(&async_baton->async);',
      '    }',
      '}',
      '',
    ].join('\n'),
  },
  {
    file: 'src/pcsclite.h',
    find: '        int m_state;\n',
    replace: `        int m_state;\n        bool m_status_thread_done; // ${MARK} the status thread has left its loop\n`,
  },
  {
    file: 'src/pcsclite.cpp',
    find: '                      m_state(0) {\n',
    replace: '                      m_state(0),\n                      m_status_thread_done(false) {\n',
  },
  {
    file: 'src/pcsclite.cpp',
    find: [
      '            if (obj->m_state == 0) {',
      '                int ret;',
      '                int times = 0;',
      '                obj->m_state = 1;',
      '                do {',
      '                    result = SCardCancel(obj->m_card_context);',
      '                    ret = uv_cond_timedwait(&obj->m_cond, &obj->m_mutex, 10000000);',
      '                } while ((ret != 0) && (++ times < 5));',
      '            }',
      '',
    ].join('\n'),
    replace: [
      '            if (obj->m_state == 0) {',
      '                obj->m_state = 1;',
      '            }',
      `            // ${MARK} Cancel until the status thread has left its loop: SCardCancel only`,
      '            // interrupts a wait already inside SCardGetStatusChange.',
      '            while (!obj->m_status_thread_done) {',
      '                result = SCardCancel(obj->m_card_context);',
      '                uv_cond_timedwait(&obj->m_cond, &obj->m_mutex, 10000000);',
      '            }',
      '',
    ].join('\n'),
  },
  {
    file: 'src/pcsclite.cpp',
    find: '    async_baton->async_result->do_exit = true;\n    uv_async_send(&async_baton->async);\n}\n',
    replace: [
      '    async_baton->async_result->do_exit = true;',
      `    // ${MARK} tell close() that the thread has left its loop`,
      '    uv_mutex_lock(&pcsclite->m_mutex);',
      '    pcsclite->m_status_thread_done = true;',
      '    uv_cond_signal(&pcsclite->m_cond);',
      '    uv_mutex_unlock(&pcsclite->m_mutex);',
      '    uv_async_send(&async_baton->async);',
      '}',
      '',
    ].join('\n'),
  },
];

/** The files the replacements touch. */
const PATCHED_FILES = [...new Set(REPLACEMENTS.map((r) => r.file))];

/**
 * Applies the replacements to the given sources (file → text); throws when one does not fit
 * (another version, or already patched).
 * @param {Record<string, string>} sources
 * @returns {Record<string, string>}
 */
function applyPatch(sources) {
  /** @type {Record<string, string>} */
  const out = { ...sources };
  for (const { file, find, replace } of REPLACEMENTS) {
    const text = out[file];
    if (text === undefined) {
      throw new Error(`${file} is missing`);
    }
    const at = text.indexOf(find);
    if (at < 0 || text.indexOf(find, at + 1) >= 0) {
      throw new Error(`${file}: the text to replace ${at < 0 ? 'is not there' : 'occurs more than once'}`);
    }
    out[file] = text.slice(0, at) + replace + text.slice(at + find.length);
  }
  return out;
}

/**
 * The installed package's directory and version, or undefined when it is not installed.
 * @param {string} root
 * @returns {{ dir: string, version: string } | undefined}
 */
function findUpstream(root) {
  let manifest;
  try {
    manifest = require.resolve(`${UPSTREAM}/package.json`, { paths: [root] });
  } catch {
    return undefined;
  }
  const version = JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
  return { dir: path.dirname(manifest), version: String(version) };
}

/**
 * What the copy's package.json records, or undefined when there is no built copy.
 * @param {string} dir
 * @returns {{ patch?: string, upstreamVersion?: string } | undefined}
 */
function readPatchedManifest(dir) {
  if (!fs.existsSync(path.join(dir, 'build', 'Release', 'pcsclite.node'))) {
    return undefined;
  }
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    return manifest.gatewayPatch ?? {};
  } catch {
    return undefined;
  }
}

/** How to run node-gyp: npm's own (npm sets npm_config_node_gyp in scripts), else the one next to node. */
function nodeGypCommand() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const script = candidates.find((c) => c !== undefined && c !== '' && fs.existsSync(c));
  if (script === undefined) {
    return undefined;
  }
  const args = [script, 'rebuild'];
  // Headers installed with node (Debian's nodejs) let node-gyp build without downloading them.
  const prefix = path.join(path.dirname(process.execPath), '..');
  if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))) {
    args.push(`--nodedir=${prefix}`);
  }
  return args;
}

/**
 * Builds the patched copy under root/node_modules/.cache/gw-pcsclite unless it is there and current.
 * @param {string} root
 * @param {{ force?: boolean, log?: (line: string) => void }} [options]
 * @returns {{ outcome: 'built' | 'current' | 'skipped' | 'failed', reason: string }}
 */
function ensurePatchedPcsclite(root, options = {}) {
  const log = options.log ?? (() => undefined);
  const target = path.join(root, PATCHED_DIR);
  const upstream = findUpstream(root);
  if (upstream === undefined) {
    fs.rmSync(target, { recursive: true, force: true });
    return { outcome: 'skipped', reason: `${UPSTREAM} is not installed (optional dependency)` };
  }
  if (upstream.version !== UPSTREAM_VERSION) {
    fs.rmSync(target, { recursive: true, force: true });
    return {
      outcome: 'skipped',
      reason: `${UPSTREAM} is ${upstream.version}; the patch is for ${UPSTREAM_VERSION} (the package is used unpatched)`,
    };
  }
  const recorded = readPatchedManifest(target);
  if (!options.force && recorded?.patch === PATCH_ID && recorded.upstreamVersion === upstream.version) {
    return { outcome: 'current', reason: `${PATCHED_DIR} is built (${PATCH_ID})` };
  }
  const gyp = nodeGypCommand();
  if (gyp === undefined) {
    return { outcome: 'failed', reason: 'node-gyp not found (run `npm run native:pcsclite`)' };
  }

  const staging = `${target}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    fs.mkdirSync(staging, { recursive: true });
    fs.copyFileSync(path.join(upstream.dir, 'binding.gyp'), path.join(staging, 'binding.gyp'));
    fs.cpSync(path.join(upstream.dir, 'lib'), path.join(staging, 'lib'), { recursive: true });
    fs.cpSync(path.join(upstream.dir, 'src'), path.join(staging, 'src'), { recursive: true });
    for (const extra of ['LICENSE.md']) {
      if (fs.existsSync(path.join(upstream.dir, extra))) {
        fs.copyFileSync(path.join(upstream.dir, extra), path.join(staging, extra));
      }
    }
    /** @type {Record<string, string>} */
    const sources = {};
    for (const file of PATCHED_FILES) {
      sources[file] = fs.readFileSync(path.join(staging, file), 'utf8');
    }
    const patched = applyPatch(sources);
    for (const file of PATCHED_FILES) {
      fs.writeFileSync(path.join(staging, file), patched[file]);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(upstream.dir, 'package.json'), 'utf8'));
    // Another name, so that nothing takes the copy for the package (jest's module map, npm).
    manifest.name = 'pcsclite-gateway-patched';
    manifest.private = true;
    delete manifest.scripts;
    manifest.gatewayPatch = { patch: PATCH_ID, upstreamVersion: upstream.version };
    fs.writeFileSync(path.join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

    log(`building ${PATCHED_DIR} (${UPSTREAM} ${upstream.version} + ${PATCH_ID}) with node-gyp`);
    const build = spawnSync(process.execPath, gyp, { cwd: staging, encoding: 'utf8', env: process.env });
    if (build.error || build.status !== 0) {
      const output = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`node-gyp failed (${build.error?.message ?? `exit ${build.status}`}):\n${output}`);
    }
    fs.rmSync(path.join(staging, 'build', 'Release', 'obj.target'), { recursive: true, force: true });
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    return { outcome: 'built', reason: `${PATCHED_DIR} built (${PATCH_ID})` };
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    return { outcome: 'failed', reason: err instanceof Error ? err.message : String(err) };
  }
}

module.exports = {
  PROJECT_ROOT,
  PATCHED_DIR,
  PATCH_ID,
  MARK,
  UPSTREAM_VERSION,
  PATCHED_FILES,
  applyPatch,
  ensurePatchedPcsclite,
};

if (require.main === module) {
  const write = (/** @type {string} */ line) => process.stdout.write(`pcsclite patch: ${line}\n`);
  const result = ensurePatchedPcsclite(PROJECT_ROOT, { force: process.argv.includes('--force'), log: write });
  if (result.outcome === 'failed') {
    write(
      `NOT built, the unpatched ${UPSTREAM} will be used (a process that used PC/SC may not exit by itself): ${result.reason}`,
    );
  } else {
    write(result.reason);
  }
}

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pcscliteBinding } from '../transports/pcsclite-transport';
import {
  applyPatch,
  ensurePatchedPcsclite,
  MARK,
  PATCH_ID,
  PATCHED_DIR,
  PATCHED_FILES,
  PROJECT_ROOT,
  UPSTREAM_VERSION,
} from './pcsclite-patch';

/** The installed @pokusew/pcsclite's directory, or undefined (an optional dependency). */
function upstreamDir(): string | undefined {
  try {
    return dirname(require.resolve('@pokusew/pcsclite/package.json', { paths: [PROJECT_ROOT] }));
  } catch {
    return undefined;
  }
}

function readSources(dir: string): Record<string, string> {
  return Object.fromEntries(PATCHED_FILES.map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}

const upstream = upstreamDir();

describe('the patch to @pokusew/pcsclite (a closed reader never keeps Node alive)', () => {
  const installed = upstream === undefined ? it.skip : it;

  installed(
    `fits the installed ${UPSTREAM_VERSION} sources: every replacement once, in both threads and closes`,
    () => {
      const manifest = JSON.parse(readFileSync(join(upstream!, 'package.json'), 'utf8')) as { version: string };
      expect(manifest.version).toBe(UPSTREAM_VERSION);
      const pristine = readSources(upstream!);
      const patched = applyPatch(pristine);
      expect(Object.keys(patched).sort()).toEqual([...PATCHED_FILES].sort());
      for (const file of PATCHED_FILES) {
        expect(patched[file]).not.toBe(pristine[file]);
        expect(patched[file]).toContain(MARK);
      }
      const reader = patched['src/cardreader.cpp'];
      // The status thread always ends by telling close() and, when the loop ended at its
      // condition, the event loop (which closes the async handle).
      expect(reader).toMatch(/reader->m_status_thread_done = true;\s*uv_cond_signal\(&reader->m_cond\);/);
      expect(reader).toMatch(
        /if \(!exit_sent\) \{\s*uv_async_send\(&async_baton->async\);\s*\}\s*\}\s*void CardReader::DoConnect/,
      );
      // close() cancels until the thread is out, not five times.
      expect(reader).not.toContain('++ times < 5');
      expect(patched['src/pcsclite.cpp']).not.toContain('++ times < 5');
      expect(reader).toContain('while (!obj->m_status_thread_done)');
      expect(patched['src/pcsclite.cpp']).toContain('while (!obj->m_status_thread_done)');
    },
  );

  installed('refuses sources it does not fit (already patched, or another version)', () => {
    const patched = applyPatch(readSources(upstream!));
    expect(() => applyPatch(patched)).toThrow(/not there|more than once/);
    expect(() => applyPatch({ ...readSources(upstream!), 'src/pcsclite.cpp': '' })).toThrow(
      'src/pcsclite.cpp: the text to replace is not there',
    );
  });

  it('refuses a missing file', () => {
    expect(() => applyPatch({})).toThrow(/is missing/);
  });

  installed('is built and is what the transport loads (npm install ran drivers/native/pcsclite-patch.js)', () => {
    const built = join(PROJECT_ROOT, PATCHED_DIR);
    const hint = `no current patched build in ${PATCHED_DIR}: run npm run native:pcsclite`;
    expect({ built: existsSync(join(built, 'build', 'Release', 'pcsclite.node')), hint }).toEqual({
      built: true,
      hint,
    });
    const manifest = JSON.parse(readFileSync(join(built, 'package.json'), 'utf8')) as {
      name: string;
      gatewayPatch: { patch: string; upstreamVersion: string };
    };
    expect(manifest.gatewayPatch).toEqual({ patch: PATCH_ID, upstreamVersion: UPSTREAM_VERSION });
    expect(manifest.name).not.toBe('@pokusew/pcsclite');
    expect(readSources(built)).toEqual(applyPatch(readSources(upstream!)));
    expect(pcscliteBinding()).toEqual({ patched: true, entry: join(built, 'lib', 'pcsclite.js') });
  });

  it('skips a project without the package and removes a stale build there (the package is optional)', () => {
    const root = mkdtempSync(join(tmpdir(), 'gw-pcsclite-'));
    try {
      writeFileSync(join(root, 'package.json'), '{}');
      mkdirSync(join(root, PATCHED_DIR), { recursive: true });
      writeFileSync(join(root, PATCHED_DIR, 'package.json'), '{}');
      expect(ensurePatchedPcsclite(root)).toEqual({
        outcome: 'skipped',
        reason: '@pokusew/pcsclite is not installed (optional dependency)',
      });
      expect(existsSync(join(root, PATCHED_DIR))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('skips another version of the package, which the patch was not written for', () => {
    const root = mkdtempSync(join(tmpdir(), 'gw-pcsclite-'));
    try {
      writeFileSync(join(root, 'package.json'), '{}');
      const pkg = join(root, 'node_modules', '@pokusew', 'pcsclite');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@pokusew/pcsclite', version: '0.7.0' }));
      expect(ensurePatchedPcsclite(root)).toEqual({
        outcome: 'skipped',
        reason: `@pokusew/pcsclite is 0.7.0; the patch is for ${UPSTREAM_VERSION} (the package is used unpatched)`,
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

import { spawnSync } from 'node:child_process';

/**
 * poppler-utils (pdftotext, pdffonts, pdftoppm) read the PDFs the form renderer writes, as an
 * independent reader would. In CI they are required (.ci/run installs poppler-utils; CI fails
 * without them); on a developer machine without them the PDF tests are skipped with a note.
 */
export function popplerAvailable(): boolean {
  const found = ['pdftotext', 'pdffonts', 'pdftoppm'].every(
    (tool) => spawnSync(tool, ['-v'], { stdio: 'ignore' }).status === 0,
  );
  if (!found && process.env.CI === 'true') {
    throw new Error(
      'poppler-utils (pdftotext, pdffonts, pdftoppm) are required in CI for the form PDF tests (apt-get install poppler-utils)',
    );
  }
  if (!found) {
    process.stderr.write(
      '\n[skip] form PDF tests skipped: install poppler-utils (apt-get install poppler-utils) to run them (CI always does).\n',
    );
  }
  return found;
}

/** Runs a poppler tool and returns its stdout (binary-safe); throws with its stderr on failure. */
export function poppler(
  tool: 'pdftotext' | 'pdffonts' | 'pdftoppm' | 'pdfimages',
  args: string[],
  input?: Buffer,
): Buffer {
  const res = spawnSync(tool, args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) {
    throw new Error(`${tool} ${args.join(' ')} failed (${res.status}): ${res.stderr?.toString()}`);
  }
  return res.stdout;
}

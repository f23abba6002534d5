import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The browser the console's tests drive: Debian's chromium (apt-get install chromium), run by
 * playwright-core (which ships no browser of its own). In CI it is required (.ci/run installs it
 * and fonts-wqy-microhei, so Chinese text renders); elsewhere, without it, the browser tests are
 * skipped with a note saying how to enable them.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** No sandbox (CI runs as root in a container), no GPU, no calls home: a quiet, headless desk browser. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** The desk screens the console is built for. */
export const DESK_VIEWPORT = { width: 1366, height: 768 };

export function chromiumAvailable(): boolean {
  const found = existsSync(CHROMIUM_PATH);
  if (!found && process.env.CI === 'true') {
    throw new Error(
      `Chromium is required in CI for the console's browser tests (${CHROMIUM_PATH}: apt-get install chromium fonts-wqy-microhei)`,
    );
  }
  if (!found) {
    process.stderr.write(
      `\n[skip] console browser tests skipped: install Chromium and a CJK font (apt-get install chromium fonts-wqy-microhei) to run them (CI always does).\n`,
    );
  }
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

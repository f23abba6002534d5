// Jest reporter: after the whole run, one plain line that CI systems and people can read,
//   tests: 212 passed, 0 failed, 1 skipped
// printed and also written to dist/test-summary.txt so .ci/run can repeat it as its last line.
// Before it, the slowest test files (wall time each), so whoever watches CI's 15-minute budget sees where
// the time goes; all files' times are written to dist/test-timings.txt, slowest first.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const files = results.testResults
      .map((r) => ({
        file: path.relative(this.rootDir, r.testFilePath),
        seconds: (r.perfStats.end - r.perfStats.start) / 1000,
        tests: r.numPassingTests + r.numFailingTests,
      }))
      .filter((f) => Number.isFinite(f.seconds))
      .sort((a, b) => b.seconds - a.seconds);
    const row = (f) => `${f.seconds.toFixed(1).padStart(7)} s  ${String(f.tests).padStart(4)} tests  ${f.file}`;
    const total = files.reduce((s, f) => s + f.seconds, 0);
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
    fs.mkdirSync(path.join(this.rootDir, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(this.rootDir, 'dist', 'test-summary.txt'), `${line}\n`);
    fs.writeFileSync(
      path.join(this.rootDir, 'dist', 'test-timings.txt'),
      `${files.length} test files, ${total.toFixed(0)} s of test-file time in all\n${files.map(row).join('\n')}\n`,
    );
    if (files.length > 1) {
      process.stdout.write(
        `\nslowest test files (of ${files.length}, ${total.toFixed(0)} s in all; every file in dist/test-timings.txt):\n` +
          `${files.slice(0, 10).map(row).join('\n')}\n`,
      );
    }
    process.stdout.write(`\n${line}\n`);
  }
}

module.exports = SummaryReporter;

// Jest reporter: after the whole run, one plain line that CI systems and people can read,
//   tests: 212 passed, 0 failed, 1 skipped
// printed and also written to dist/test-summary.txt so .ci/run can repeat it as its last line.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`;
    fs.mkdirSync(path.join(this.rootDir, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(this.rootDir, 'dist', 'test-summary.txt'), `${line}\n`);
    process.stdout.write(`\n${line}\n`);
  }
}

module.exports = SummaryReporter;

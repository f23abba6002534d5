// Child process for the event journal's SIGKILL test (src/agents/agent/journal/journal-crash.spec.ts).
// Appends events to the journal as fast as it can and prints `appended <seq>` after each append has
// resolved, so the parent knows which records the journal promised to keep; it acknowledges now and
// then too, so a kill also lands during acks and segment deletion. It never exits by itself.
//
//   node journal-writer.js <event-journal.ts> <dir> <round> <segmentBytes>
//
// The journal is TypeScript and the project has no ts-node: a require hook transpiles it with the
// project's own `typescript` (types are not checked here; tsc does that for the real code).
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

const [journalModule, dir, round, segmentBytes] = process.argv.slice(2);
const { EventJournal } = require(journalModule);

async function main() {
  const journal = await EventJournal.open(dir, {
    maxRecords: 1_000_000,
    maxBytes: 1024 * 1024 * 1024,
    segmentBytes: Number(segmentBytes),
  });
  process.stdout.write(`opened ${journal.stats().lastSeq}\n`);
  for (let i = 1; ; i++) {
    const record = await journal.append({ type: 'scan', round: Number(round), i, at: new Date().toISOString() });
    process.stdout.write(`appended ${record.seq}\n`);
    if (i % 50 === 0) {
      await journal.ack(record.seq - 20);
      process.stdout.write(`acked ${record.seq - 20}\n`);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});

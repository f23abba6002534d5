// Child process for the event journal's SIGKILL test (src/agents/agent/journal/journal-crash.spec.ts).
// Appends events to the journal as fast as it can and prints `appended <seq>` after each append has
// resolved, so the parent knows which records the journal promised to keep; it acknowledges now and
// then too, so a kill also lands during acks and segment deletion. It never exits by itself.
// With tearAfter > 0 it stops after that many appends, writes the first half of one more record into
// the journal as a write cut short by the kill would leave it, prints `torn` and waits to be killed.
//
//   node journal-writer.js <event-journal.ts> <dir> <round> <segmentBytes> [tearAfter]
//
// The journal is TypeScript and the project has no ts-node: a require hook transpiles it with the
// project's own `typescript` (types are not checked here; tsc does that for the real code).
const { appendFileSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { setTimeout } = require('node:timers');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

const [journalModule, dir, round, segmentBytes, tearAfter = '0'] = process.argv.slice(2);
const { EventJournal } = require(journalModule);
const { encodeRecord } = require(join(journalModule, '..', 'journal-record.ts'));

async function main() {
  const journal = await EventJournal.open(dir, {
    maxRecords: 1_000_000,
    maxBytes: 1024 * 1024 * 1024,
    segmentBytes: Number(segmentBytes),
  });
  process.stdout.write(`opened ${journal.stats().lastSeq}\n`);
  for (let i = 1; ; i++) {
    if (Number(tearAfter) > 0 && i === Number(tearAfter) + 1) {
      const active = readdirSync(dir)
        .filter((f) => f.endsWith('.jnl'))
        .sort()
        .pop();
      const next = encodeRecord({ seq: journal.stats().lastSeq + 1, at: new Date().toISOString(), event: { i } });
      appendFileSync(join(dir, active), next.subarray(0, Math.floor(next.length / 2)));
      process.stdout.write('torn\n');
      setTimeout(() => undefined, 60_000); // killed long before
      return;
    }
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

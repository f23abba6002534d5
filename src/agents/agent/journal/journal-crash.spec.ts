import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventJournal } from './event-journal';

const WRITER = join(__dirname, '..', '..', '..', '..', 'test', 'support', 'journal-writer.js');
const JOURNAL_MODULE = join(__dirname, 'event-journal.ts');

interface WriterEvent {
  type: 'scan';
  round: number;
  i: number;
  at: string;
}

/**
 * Runs the writer until it has printed `appendsBeforeKill` appends, then SIGKILLs it mid-run; with
 * `tear`, the writer stops there itself, leaves half a record in the file and is killed after that.
 */
async function runAndKill(
  dir: string,
  round: number,
  appendsBeforeKill: number,
  tear = false,
): Promise<{ appended: number[]; acked: number[] }> {
  const args = [WRITER, JOURNAL_MODULE, dir, String(round), '2048', tear ? String(appendsBeforeKill) : '0'];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': 'exit' can come before the last lines the writer printed have been read from
  // its stdout, and a seq that was appended but not yet read would look like one the journal invented.
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const done = tear ? /^torn$/m.test(out) : (out.match(/^appended /gm) ?? []).length >= appendsBeforeKill;
      if (done) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    void exited.then(() => reject(new Error(`the writer exited before it was killed:\n${err}`)));
  });
  expect(await exited).toBe('SIGKILL');
  const numbers = (word: string) => [...out.matchAll(new RegExp(`^${word} (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
  return { appended: numbers('appended'), acked: numbers('acked') };
}

// Windows has no SIGKILL: child.kill() there is TerminateProcess, which the same test could use, but
// the agent's Windows install runs under a service wrapper and CI runs Linux; the journal's recovery
// path (torn tail, reopen) is the same code on both and is covered by event-journal.spec.ts.
(process.platform === 'win32' ? describe.skip : describe)(
  'EventJournal killed with SIGKILL (not on Windows: no SIGKILL)',
  () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'journal-kill-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps every record whose append returned, exactly once and in order, over three kills mid-run', async () => {
      const appended: number[] = [];
      let ackedThrough = 0;
      for (let round = 1; round <= 3; round++) {
        const run = await runAndKill(dir, round, 150 + round * 37);
        appended.push(...run.appended);
        ackedThrough = Math.max(ackedThrough, ...run.acked);
      }

      const journal = await EventJournal.open<WriterEvent>(dir, { maxRecords: 1_000_000, maxBytes: 1024 ** 3 });
      const pending = journal.pending();
      const stats = journal.stats();
      await journal.close();

      // Every seq an append returned is there once: acknowledged (the writer printed the ack), or pending.
      expect(stats.ackedThrough).toBeGreaterThanOrEqual(ackedThrough);
      const kept = new Set(pending.map((r) => r.seq));
      expect(kept.size).toBe(pending.length);
      for (const seq of appended) {
        expect(seq <= stats.ackedThrough || kept.has(seq)).toBe(true);
      }
      // Seqs were never reused across the kills: every printed seq is distinct.
      expect(new Set(appended).size).toBe(appended.length);
      // Pending records follow each other, in the order the writer made them; at most one more per
      // kill than printed (written and fsynced, killed before it could print).
      pending.forEach((r, i) => expect(r.seq).toBe(stats.ackedThrough + 1 + i));
      const order = pending.map((r) => r.event.round * 1_000_000 + r.event.i);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(stats.lastSeq - Math.max(...appended)).toBeLessThanOrEqual(1);
      expect(pending.every((r) => typeof r.event.at === 'string')).toBe(true);
    });

    it('cuts off the half record a kill mid-write leaves: every returned append is kept, nothing of the torn one', async () => {
      const first = await runAndKill(dir, 1, 120);
      const torn = await runAndKill(dir, 2, 80, true);
      const appended = [...first.appended, ...torn.appended];

      const journal = await EventJournal.open<WriterEvent>(dir, {
        maxRecords: 1_000_000,
        maxBytes: 1024 ** 3,
        logger: { warn: () => undefined },
      });
      const pending = journal.pending();
      const stats = journal.stats();
      await journal.close();

      expect(journal.recoveries).toHaveLength(1);
      expect(stats.lastSeq).toBe(Math.max(...appended)); // the torn record is gone, nothing after it
      expect(torn.appended).toHaveLength(80);
      for (const seq of appended) {
        expect(seq <= stats.ackedThrough || pending.some((r) => r.seq === seq)).toBe(true);
      }
      const secondRound = pending.filter((r) => r.event.round === 2).map((r) => r.event.i);
      expect(secondRound.at(-1)).toBe(80); // the last returned append is there, the torn 81st is not
      expect(secondRound).toEqual([...secondRound].sort((a, b) => a - b));
    });
  },
);

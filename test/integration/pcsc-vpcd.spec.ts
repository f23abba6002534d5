import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ssseCardReaderScenario } from '../../drivers/readers/ssse-card-reader.contract';
import { VpcdCard } from '../../drivers/simulators/vpcd-card';
import { CardPresence } from '../../drivers/transports/pcsc-transport';
import { pcscTransportContract, PcscWorld } from '../../drivers/transports/pcsc-transport.contract';
import { describePcscReaders, listPcscReaders, PcscliteTransport } from '../../drivers/transports/pcsclite-transport';
import { eventually } from '../support/eventually';
import { pcscdAvailable, VPCD_SLOT_0, VpcdSlot } from '../support/pcscd';

/** This tier's vpcd reader; other tiers use other slots (VPCD_SLOT_1), never this one. */
const SLOT: VpcdSlot = VPCD_SLOT_0;

/**
 * pcscd with vpcd as a PcscWorld: cards are VpcdCards connecting to the slot's port, and an
 * observer transport on the same reader makes insert/remove resolve once pcscd has noticed.
 */
async function vpcdWorld(slot: VpcdSlot): Promise<PcscWorld> {
  const observer = new PcscliteTransport(slot.readerName);
  let present: boolean | undefined;
  observer.onCard((e: CardPresence) => {
    present = e.present;
  });
  await observer.open();
  await eventually(
    () => present === false,
    `an empty ${slot.readerName} (is another program using vpcd port ${slot.port}?)`,
  );
  const presentReaders = await listPcscReaders();
  let card: VpcdCard | undefined;
  const remove = async (): Promise<void> => {
    await card?.remove();
    card = undefined;
    await eventually(() => present === false, 'pcscd to see the card go');
  };
  return {
    readerName: slot.readerName,
    presentReaders,
    ambiguousPrefix: 'Virtual PCD',
    transport: (name = slot.readerName) => new PcscliteTransport(name),
    insert: async (simulated) => {
      card = new VpcdCard(simulated, { port: slot.port });
      await card.insert();
      await eventually(() => present === true, 'pcscd to see the card');
    },
    remove,
    dispose: async () => {
      await remove();
      await observer.close();
    },
  };
}

if (pcscdAvailable(SLOT)) {
  pcscTransportContract(`pcsclite over pcscd and vpcd (${SLOT.readerName})`, () => vpcdWorld(SLOT));
  ssseCardReaderScenario(`pcsclite over pcscd and vpcd (${SLOT.readerName})`, () => vpcdWorld(SLOT));

  describe('PcscliteTransport with the real pcsc-lite', () => {
    it('lists the readers pcscd knows', async () => {
      const readers = await listPcscReaders();
      expect(readers).toContain(SLOT.readerName);
      await expect(describePcscReaders()).resolves.toEqual({ readers });
    });

    it('says to install or start pcscd when it is not there, without asking the library (which would spin)', async () => {
      const saved = process.env.PCSCLITE_CSOCK_NAME;
      process.env.PCSCLITE_CSOCK_NAME = resolve(__dirname, 'no-pcscd-here.comm');
      try {
        const error: unknown = await new PcscliteTransport(SLOT.readerName).open().catch((e: unknown) => e);
        expect(error).toMatchObject({
          code: 'MISSING_LIBRARY',
          message: expect.stringContaining('apt-get install pcscd'),
        });
        await expect(listPcscReaders()).rejects.toMatchObject({ code: 'MISSING_LIBRARY' });
        const listing = await describePcscReaders();
        expect(listing.readers).toEqual([]);
        expect(listing.error?.message).toContain('pcscd');
      } finally {
        if (saved === undefined) {
          delete process.env.PCSCLITE_CSOCK_NAME;
        } else {
          process.env.PCSCLITE_CSOCK_NAME = saved;
        }
      }
    });

    it('closes completely: the reader is released, and a process that only used PC/SC exits by itself (or reports a lingering native thread)', async () => {
      // A separate Node process lists the readers, fails to open a missing one, opens the slot,
      // gets its state and closes (each right away, the racy case). It should then exit by
      // itself. pcsc-lite's reader thread can still, rarely, miss the cancel that close() sends
      // and wait in SCardGetStatusChange for ever (seen in about one of three full CI runs, never
      // alone); an unref'd timer, which only fires if something else keeps the process alive,
      // reports that as "lingering". The gateway and the CLI exit explicitly for that reason.
      const script = `
        const fs = require('node:fs');
        const ts = require('typescript');
        require.extensions['.ts'] = (module, filename) => {
          const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
          module._compile(out.outputText, filename);
        };
        const { PcscliteTransport, listPcscReaders } = require('./drivers/transports/pcsclite-transport.ts');
        const say = (text) => process.stdout.write(text + '\\n');
        (async () => {
          say('listed ' + (await listPcscReaders()).includes(process.argv[1]));
          say('missing ' + (await new PcscliteTransport('No Such Reader').open().catch((e) => e.code)));
          const t = new PcscliteTransport(process.argv[1]);
          t.onCard((e) => {
            say('card ' + e.present);
            t.close().then(() => {
              say('closed');
              setTimeout(() => { say('lingering'); process.exit(3); }, 5000).unref();
            });
          });
          await t.open();
        })().catch((e) => { say('failed ' + e.message); process.exitCode = 1; });
      `;
      const child = spawn(process.execPath, ['-e', script, SLOT.readerName], {
        cwd: resolve(__dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      try {
        await eventually(() => child.exitCode !== null, 'the child to exit', 30_000);
      } finally {
        if (child.exitCode === null) {
          child.kill('SIGKILL');
        }
      }
      const code = await exited;
      expect(output.replace('lingering\n', '')).toBe('listed true\nmissing NOT_FOUND\ncard false\nclosed\n');
      if (code === 3) {
        process.stderr.write(
          '\n[note] pcsc-lite left a reader thread waiting after close (its known race); the transport had closed.\n',
        );
      } else {
        expect(code).toBe(0);
      }
    }, 45_000);
  });
} else {
  describe('PC/SC over pcscd and vpcd', () => {
    it.skip('needs pcscd with vsmartcard-vpcd (apt-get install pcscd vsmartcard-vpcd)', () => undefined);
  });
}

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ssseCardReaderScenario } from '../../drivers/readers/ssse-card-reader.contract';
import { VpcdCard } from '../../drivers/simulators/vpcd-card';
import { CardPresence } from '../../drivers/transports/pcsc-transport';
import { pcscTransportContract, PcscWorld } from '../../drivers/transports/pcsc-transport.contract';
import {
  describePcscReaders,
  listPcscReaders,
  pcscliteBinding,
  PcscliteTransport,
} from '../../drivers/transports/pcsclite-transport';
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

/**
 * Runs `rounds` times, in a fresh Node process: list the readers, fail to open a missing one,
 * open the slot and close it at its first state. The process is then left to exit by itself;
 * "lingering" and exit code 3 say that something native kept it alive 5 s after the last close.
 */
async function closeInChild(rounds: number): Promise<{ code: number | null; output: string }> {
  const script = `
    const fs = require('node:fs');
    const ts = require('typescript');
    require.extensions['.ts'] = (module, filename) => {
      const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
      module._compile(out.outputText, filename);
    };
    const { PcscliteTransport, listPcscReaders } = require('./drivers/transports/pcsclite-transport.ts');
    const say = (text) => process.stdout.write(text + '\\n');
    const round = async () => {
      say('listed ' + (await listPcscReaders()).includes(process.argv[1]));
      say('missing ' + (await new PcscliteTransport('No Such Reader').open().catch((e) => e.code)));
      const t = new PcscliteTransport(process.argv[1]);
      const closed = new Promise((done, fail) => {
        t.onCard((e) => {
          say('card ' + e.present);
          t.close().then(done, fail);
        });
      });
      await t.open();
      await closed;
      say('closed');
    };
    (async () => {
      for (let i = 0; i < Number(process.argv[2]); i++) {
        await round();
      }
      setTimeout(() => { say('lingering'); process.exit(3); }, 5000).unref();
    })().catch((e) => { say('failed ' + e.message); process.exitCode = 1; });
  `;
  const child = spawn(process.execPath, ['-e', script, SLOT.readerName, String(rounds)], {
    cwd: resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    await eventually(() => child.exitCode !== null || child.signalCode !== null, 'the child to exit', 40_000);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
  return { code: await exited, output };
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

    it("loads the gateway's patched build of the binding (npm install builds it: drivers/native/pcsclite-patch.js)", () => {
      expect(pcscliteBinding()).toEqual({
        patched: true,
        entry: expect.stringMatching(/gw-pcsclite[\\/]lib[\\/]pcsclite\.js$/),
      });
    });

    it('closes completely: the reader is released, and a process that only used PC/SC exits by itself', async () => {
      // A separate Node process lists the readers, fails to open a missing one, opens the slot,
      // gets its state and closes (each right away, the racy case). It must then exit by itself:
      // with the unpatched binding a reader's status thread closed just after a status could
      // end without closing its libuv handle, and the process never exited. An unref'd timer,
      // which only fires if something else keeps the process alive, reports that as "lingering".
      const { code, output } = await closeInChild(1);
      expect(output).toBe('listed true\nmissing NOT_FOUND\ncard false\nclosed\n');
      expect(code).toBe(0);
    }, 45_000);

    it('closes completely five times over in one process, and the process still exits by itself', async () => {
      const { code, output } = await closeInChild(5);
      expect(output).toBe('listed true\nmissing NOT_FOUND\ncard false\nclosed\n'.repeat(5));
      expect(code).toBe(0);
    }, 60_000);
  });
} else {
  describe('PC/SC over pcscd and vpcd', () => {
    it.skip('needs pcscd with vsmartcard-vpcd (apt-get install pcscd vsmartcard-vpcd)', () => undefined);
  });
}

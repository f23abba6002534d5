import { HidTransport } from './hid-transport';
import { TransportError } from './transport-errors';
import { eventually } from '../testing/eventually';

/** What a contract run needs from an implementation: a device end it can drive. */
export interface HidWorld {
  /** The path the host is configured with (`VID:PID` or a device path). */
  path: string;
  transportFor(path: string): HidTransport;
  /** The device sends one input report (report ID first). */
  deviceSend(report: Buffer): Promise<void>;
  /** Output reports the device has received from the host so far. */
  deviceReceived(): Buffer[];
  /** Pull the cable. */
  unplug(): Promise<void>;
  /** Put it back (reachable by the same configured path). */
  replug(): Promise<void>;
  /** A path where no device is, in the same form as `path`. */
  missingPath: string;
  /** How the attached device shows in the list a NOT_FOUND message gives (e.g. its VID:PID). */
  listedAs: string;
  dispose(): Promise<void>;
}

/** A 64-byte report whose bytes say which one it is, so order and wholeness can be checked. */
function numberedReport(n: number): Buffer {
  const report = Buffer.alloc(64, n % 251);
  report[0] = 0x02;
  report.writeUInt16BE(n, 1);
  return report;
}

/**
 * The HidTransport contract (see hid-transport.ts), run in fake-node-hid.spec.ts against
 * NodeHidTransport over the fake node-hid. It cannot be run against a real device here: this
 * kernel has no uhid (no virtual HID devices) and the machine has no scanner, so the fake
 * copies node-hid's behaviour instead (fake-node-hid.ts says what, and from where). On a
 * machine with a HID POS scanner the same suite can be run with a world that drives it.
 */
export function hidTransportContract(name: string, makeWorld: () => Promise<HidWorld>): void {
  describe(`HidTransport contract: ${name}`, () => {
    let world: HidWorld;
    beforeEach(async () => {
      world = await makeWorld();
    });
    afterEach(async () => {
      await world.dispose();
    });

    it('refuses a missing device with NOT_FOUND and a message naming it and what is attached', async () => {
      const t = world.transportFor(world.missingPath);
      const error = await t.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('NOT_FOUND');
      expect((error as TransportError).message).toContain(world.missingPath);
      expect((error as TransportError).message).toContain(world.listedAs);
      expect(t.isOpen).toBe(false);
    });

    it('delivers every report once, whole and in order, to every listener', async () => {
      const t = world.transportFor(world.path);
      const first: Buffer[] = [];
      const second: Buffer[] = [];
      const removed: Buffer[] = [];
      t.onReport((r) => first.push(r));
      t.onReport((r) => second.push(r));
      const remove = t.onReport((r) => removed.push(r));
      remove();
      await t.open();
      const sent = Array.from({ length: 120 }, (_, i) => numberedReport(i));
      for (const report of sent) {
        await world.deviceSend(report);
      }
      await eventually(() => first.length >= sent.length, 'all reports');
      expect(first).toEqual(sent);
      expect(second).toEqual(sent);
      expect(removed).toEqual([]);
      await t.close();
    });

    it('writes output reports, and refuses to write when closed and to open twice', async () => {
      const t = world.transportFor(world.path);
      const write = t.write?.bind(t);
      if (write) {
        await expect(write(Buffer.from([0x04, 0x01]))).rejects.toMatchObject({ code: 'NOT_OPEN' });
      }
      await t.open();
      expect(t.isOpen).toBe(true);
      await expect(t.open()).rejects.toMatchObject({ code: 'BUSY' });
      if (write) {
        const beep = Buffer.from('fd0316070d', 'hex');
        await write(beep);
        await write(Buffer.from([0x04, 0x02]));
        await eventually(() => world.deviceReceived().length >= 2, 'the output reports');
        expect(world.deviceReceived()).toEqual([beep, Buffer.from([0x04, 0x02])]);
      }
      await t.close();
      await t.close(); // idempotent
      expect(t.isOpen).toBe(false);
    });

    it('reports an unplugged device once as disconnected, and works again after it is back', async () => {
      const t = world.transportFor(world.path);
      const lost: TransportError[] = [];
      const received: Buffer[] = [];
      t.onDisconnect((e) => lost.push(e));
      t.onReport((r) => received.push(r));
      await t.open();
      await world.unplug();
      await eventually(() => lost.length > 0, 'the disconnect');
      expect(lost).toHaveLength(1);
      expect(lost[0].disconnected).toBe(true);
      expect(lost[0].message).toContain(world.path);
      expect(t.isOpen).toBe(false);
      await expect(t.open()).rejects.toMatchObject({ code: 'NOT_FOUND' });

      await world.replug();
      await t.open();
      await world.deviceSend(numberedReport(7));
      await eventually(() => received.length > 0, 'a report after the replug');
      expect(received).toEqual([numberedReport(7)]);
      await t.close();
      expect(lost).toHaveLength(1); // our own close is not a disconnect
    });

    it('calls no listener after close, and a report sent while closed is not delivered later', async () => {
      const t = world.transportFor(world.path);
      const received: Buffer[] = [];
      const lost: TransportError[] = [];
      t.onReport((r) => received.push(r));
      t.onDisconnect((e) => lost.push(e));
      for (let i = 0; i < 5; i++) {
        await t.open();
        await t.close(); // right after open: the read that open started must not outlive it
      }
      await world.deviceSend(numberedReport(1));
      await t.open();
      await world.deviceSend(numberedReport(2));
      await eventually(() => received.length > 0, 'the report sent while open');
      await t.close();
      await world.deviceSend(numberedReport(3));
      await world.unplug(); // while closed: not a disconnect of ours
      await world.replug();
      await t.open();
      await world.deviceSend(numberedReport(4));
      await eventually(() => received.length > 1, 'the report after reopening');
      await t.close();
      expect(received).toEqual([numberedReport(2), numberedReport(4)]);
      expect(lost).toEqual([]);
    });
  });
}

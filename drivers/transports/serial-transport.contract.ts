import { SerialTransport } from './serial-transport';
import { TransportError } from './transport-errors';
import { eventually } from '../testing/eventually';

/** What a contract run needs from an implementation: a device end it can drive. */
export interface SerialWorld {
  /** A transport to the device's port (not yet open). */
  host(): SerialTransport;
  /** Bytes from the device to the host. */
  deviceSend(chunk: Buffer): Promise<void>;
  /** Everything the device has received from the host so far. */
  deviceReceived(): Buffer;
  /** Pull the cable / close the device end. */
  unplug(): Promise<void>;
  /** Put it back (same path). */
  replug(): Promise<void>;
  /** A path where no device is. */
  missingPath: string;
  transportFor(path: string): SerialTransport;
  dispose(): Promise<void>;
}

/**
 * The SerialTransport contract, run against the in-memory fake (unit tier) and against real
 * pty pairs from socat (integration tier), so the fake cannot drift from the real thing.
 */
export function serialTransportContract(name: string, makeWorld: () => Promise<SerialWorld>): void {
  describe(`SerialTransport contract: ${name}`, () => {
    let world: SerialWorld;
    beforeEach(async () => {
      world = await makeWorld();
    });
    afterEach(async () => {
      await world.dispose();
    });

    it('refuses a missing port with NOT_FOUND and a message naming it', async () => {
      const t = world.transportFor(world.missingPath);
      const error = await t.open().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('NOT_FOUND');
      expect((error as TransportError).message).toContain(world.missingPath);
      expect(t.isOpen).toBe(false);
    });

    it('carries every byte both ways, in order', async () => {
      const t = world.host();
      const received: Buffer[] = [];
      t.onData((c) => received.push(c));
      await t.open();
      const fromDevice = Buffer.from(Array.from({ length: 700 }, (_, i) => i % 256));
      for (let i = 0; i < fromDevice.length; i += 97) {
        await world.deviceSend(fromDevice.subarray(i, i + 97));
      }
      await eventually(() => Buffer.concat(received).length >= fromDevice.length, 'device bytes');
      expect(Buffer.concat(received).equals(fromDevice)).toBe(true);

      const fromHost = Buffer.from('AAAAAA9669000320011122', 'hex');
      await t.write(fromHost);
      await t.write(fromHost);
      await eventually(() => world.deviceReceived().length >= 2 * fromHost.length, 'host bytes');
      expect(world.deviceReceived().equals(Buffer.concat([fromHost, fromHost]))).toBe(true);
      await t.close();
    });

    it('refuses to write when closed and to open twice', async () => {
      const t = world.host();
      await expect(t.write(Buffer.from([1]))).rejects.toMatchObject({ code: 'NOT_OPEN' });
      await t.open();
      await expect(t.open()).rejects.toMatchObject({ code: 'BUSY' });
      await t.close();
      await t.close(); // idempotent
      expect(t.isOpen).toBe(false);
    });

    it('a write racing an unplug never hides it: the disconnect is heard, once, before any write fails', async () => {
      const t = world.host();
      let heard = 0;
      const writes: string[] = [];
      t.onDisconnect(() => heard++);
      await t.open();
      await world.unplug();
      // What a polling reader does right after the cable is pulled, and what it does on a failed write.
      for (let i = 0; i < 3 && !writes.some((w) => w !== 'ok'); i++) {
        writes.push(
          await t.write(Buffer.from('poll')).then(
            () => 'ok',
            () => `failed after ${heard} disconnect(s)`,
          ),
        );
      }
      await eventually(() => heard > 0, 'the disconnect');
      await t.close();
      expect(writes.filter((w) => w !== 'ok').every((w) => w === 'failed after 1 disconnect(s)')).toBe(true);
      expect(heard).toBe(1);
    });

    it('reports an unplugged device once as disconnected, and works again after it is back', async () => {
      const t = world.host();
      const lost: TransportError[] = [];
      const received: Buffer[] = [];
      t.onDisconnect((e) => lost.push(e));
      t.onData((c) => received.push(c));
      await t.open();
      await world.unplug();
      await eventually(() => lost.length > 0, 'the disconnect');
      expect(lost).toHaveLength(1);
      expect(lost[0].disconnected).toBe(true);
      expect(t.isOpen).toBe(false);

      await world.replug();
      await t.open();
      await world.deviceSend(Buffer.from('again'));
      await eventually(() => Buffer.concat(received).toString().includes('again'), 'data after replug');
      await t.close();
      expect(lost).toHaveLength(1); // our own close is not a disconnect
    });
  });
}

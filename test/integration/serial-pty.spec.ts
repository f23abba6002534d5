import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeSerialTransport } from '../../drivers/transports/node-serial-transport';
import { serialTransportContract } from '../../drivers/transports/serial-transport.contract';
import { PtyPair, socatAvailable, startPtyPair } from '../support/socat';

const BAUD = 115200;

if (socatAvailable()) {
  serialTransportContract('serialport over a socat pty pair', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-pty-'));
    let pair: PtyPair = await startPtyPair(dir);
    let device = new NodeSerialTransport({ path: pair.devicePath, baudRate: BAUD });
    let received: Buffer[] = [];
    const openDevice = async (): Promise<void> => {
      device = new NodeSerialTransport({ path: pair.devicePath, baudRate: BAUD });
      device.onData((c) => received.push(c));
      await device.open();
    };
    await openDevice();
    return {
      host: () => new NodeSerialTransport({ path: pair.hostPath, baudRate: BAUD }),
      deviceSend: (chunk) => device.write(chunk),
      deviceReceived: () => Buffer.concat(received),
      unplug: async () => {
        await device.close();
        await pair.stop();
      },
      replug: async () => {
        received = [];
        pair = await startPtyPair(dir);
        await openDevice();
      },
      missingPath: join(dir, 'no-such-tty'),
      transportFor: (p) => new NodeSerialTransport({ path: p, baudRate: BAUD }),
      dispose: async () => {
        await device.close();
        await pair.stop();
      },
    };
  });
} else {
  describe('SerialTransport contract over a pty pair', () => {
    it.skip('needs socat (apt-get install socat)', () => undefined);
  });
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idCardReaderScenario } from '../../drivers/readers/id-card-reader.contract';
import { transportLine } from '../../drivers/simulators/fake-device-line';
import { IdCardSimulator } from '../../drivers/simulators/id-card-simulator';
import { NodeSerialTransport } from '../../drivers/transports/node-serial-transport';
import { PtyPair, socatAvailable, startPtyPair } from '../support/socat';

if (socatAvailable()) {
  idCardReaderScenario('real driver over a socat pty pair at 115200 baud', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-idcard-'));
    let pair: PtyPair = await startPtyPair(dir, 'idcard');
    let device: NodeSerialTransport;
    let simulator: IdCardSimulator;
    const openDevice = async (): Promise<void> => {
      device = new NodeSerialTransport({ path: pair.devicePath, baudRate: 115200 });
      simulator = new IdCardSimulator(transportLine(device));
      await device.open();
    };
    await openDevice();
    return {
      reader: () => new NodeSerialTransport({ path: pair.hostPath, baudRate: 115200 }),
      simulator: () => simulator,
      unplug: async () => {
        await device.close();
        await pair.stop();
      },
      replug: async () => {
        pair = await startPtyPair(dir, 'idcard');
        await openDevice();
      },
      dispose: async () => {
        await device.close();
        await pair.stop();
      },
    };
  });
} else {
  describe('ID-card reader over a pty pair', () => {
    it.skip('needs socat (apt-get install socat)', () => undefined);
  });
}

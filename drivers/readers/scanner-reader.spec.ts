import { ScannerSimulator } from '../simulators/scanner-simulator';
import { fakePortLine } from '../simulators/fake-device-line';
import { FakeSerialLine } from '../transports/fake-serial-transport';
import { Scan, ScannerReader } from './scanner-reader';
import { eventually } from '../testing/eventually';

describe(ScannerReader.name, () => {
  it('frames, classifies and emits every scan, and keeps working after an unplug', async () => {
    const line = new FakeSerialLine();
    const path = '/dev/ttySCAN';
    let simulator = new ScannerSimulator(fakePortLine(line.plug(path)));
    const reader = new ScannerReader(line.transport(path), {
      // The CR ends each code; the pause that would end one without it is long enough that a busy
      // machine's pause between two chunks of one code is never taken for it.
      framing: { terminator: 'CR', interByteTimeoutMs: 5_000 },
      reconnectBaseMs: 20,
      reconnectMaxMs: 100,
    });
    const scans: Scan[] = [];
    reader.on('scan', (s) => scans.push(s));
    reader.start();
    try {
      await eventually(() => reader.status.state === 'waiting', 'the scanner to be ready');
      await simulator.scan('81234567890123456789');
      await simulator.scan('0106901234567892213ABC\u001d17991231', { aim: ']d2' });
      await simulator.scan('6901234567892');
      await simulator.scan('https://ecard.example/qr?t=AbC123xyz');
      await eventually(() => scans.length === 4, 'four scans');
      expect(scans.map((s) => s.classification.kind)).toEqual(['trace-code', 'gs1', 'commodity-barcode', 'qr-token']);
      expect(scans[1].symbology?.id).toBe(']d2');

      line.port(path)?.unplug();
      await eventually(() => reader.status.state === 'disconnected', 'the disconnect');
      simulator = new ScannerSimulator(fakePortLine(line.plug(path)));
      await eventually(() => reader.status.state === 'waiting', 'the reconnect');
      await simulator.scan('81234567890123456780');
      await eventually(() => scans.length === 5, 'a scan after the reconnect');
    } finally {
      await reader.stop();
    }
  });
});

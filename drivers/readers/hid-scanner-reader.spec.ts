import { HID_POS_USAGE_PAGE } from '../protocols/hid-pos';
import { HidPosScannerSimulator } from '../simulators/hid-pos-scanner-simulator';
import { FakeNodeHid, hidPosScanReports, LIBUSB_MISSING } from '../transports/fake-node-hid';
import { NodeHidTransport } from '../transports/node-hid-transport';
import { DeviceStatus } from './device-status';
import { HidScannerReader, HidScannerReaderOptions } from './hid-scanner-reader';
import type { Scan } from './scanner-reader';
import { eventually } from '../testing/eventually';

const OPTIONS: HidScannerReaderOptions = {
  hidPos: { continuationTimeoutMs: 50 },
  reconnectBaseMs: 20,
  reconnectMaxMs: 100,
};
/**
 * For the tests that are not about the continuation timeout: long enough that a pause of a busy
 * machine between two reports of one code is never taken for a code cut short.
 */
const PATIENT: HidScannerReaderOptions = { ...OPTIONS, hidPos: { continuationTimeoutMs: 5_000 } };
const TRACE = '81234567890123456789';
const GS1 = '010690123456789221ABC123\u001d1727123110LOT7';
/** An 电子社保卡-style token, long enough for four reports. */
const TOKEN = `https://ecard.example.invalid/qr?t=${'AbC123xyz-_'.repeat(16)}`;

function setup(options: HidScannerReaderOptions = OPTIONS): {
  bus: FakeNodeHid;
  reader: HidScannerReader;
  scans: Scan[];
  statuses: DeviceStatus[];
} {
  const bus = new FakeNodeHid();
  const transport = new NodeHidTransport({ path: '0c2e:0b61', usagePage: HID_POS_USAGE_PAGE, hid: bus.loader });
  const reader = new HidScannerReader(transport, options);
  const scans: Scan[] = [];
  const statuses: DeviceStatus[] = [];
  reader.on('scan', (s) => scans.push(s));
  reader.on('status', (s) => statuses.push(s));
  return { bus, reader, scans, statuses };
}

describe(HidScannerReader.name, () => {
  it('decodes, classifies and emits every scan, and keeps working after an unplug', async () => {
    const { bus, reader, scans, statuses } = setup(PATIENT);
    let scanner = HidPosScannerSimulator.plug(bus);
    reader.start();
    try {
      await eventually(() => reader.status.state === 'waiting', 'the scanner to be ready');
      expect(reader.status.message).toBe('扫码枪已连接，请扫码');
      await scanner.scan(TRACE);
      await scanner.scan(GS1, ']d2');
      expect(hidPosScanReports(TOKEN).length).toBeGreaterThanOrEqual(4);
      await scanner.scan(TOKEN, ']Q1');
      await eventually(() => scans.length === 3, 'three scans');
      expect(scans.map((s) => s.classification.kind)).toEqual(['trace-code', 'gs1', 'qr-token']);
      expect(scans[0]).toMatchObject({ text: TRACE, classification: { code: TRACE, platform: 'msfx' } });
      expect(scans[0].symbology).toBeUndefined();
      expect(scans[1]).toMatchObject({
        text: GS1,
        symbology: { id: ']d2', gs1: true },
        classification: { gtin: '06901234567892', serial: 'ABC123', batch: 'LOT7' },
      });
      expect(scans[2]).toMatchObject({
        text: TOKEN,
        symbology: { id: ']Q1' },
        classification: { kind: 'qr-token', token: TOKEN },
      });

      scanner.unplug();
      await eventually(() => reader.status.state === 'disconnected', 'the disconnect');
      expect(statuses.some((s) => s.state === 'disconnected' && s.message.includes('已断开'))).toBe(true);
      scanner = HidPosScannerSimulator.plug(bus);
      await eventually(() => reader.status.state === 'waiting', 'the reconnect');
      await scanner.scan('81234567890123456780');
      await eventually(() => scans.length === 4, 'a scan after the reconnect');
      expect(scans[3].classification).toMatchObject({ kind: 'trace-code', code: '81234567890123456780' });
    } finally {
      await reader.stop();
    }
    expect(bus.openHandles).toBe(0);
  });

  it('tells IT staff which library is missing and how to install it, then connects once it is there', async () => {
    const { bus, reader, scans } = setup();
    const scanner = HidPosScannerSimulator.plug(bus);
    bus.breakLibrary(LIBUSB_MISSING);
    reader.start();
    try {
      await eventually(() => reader.status.state === 'error', 'the error status');
      expect(reader.status.message).toContain('libusb');
      expect(reader.status.message).toContain('apt-get install libusb-1.0-0');
      expect(reader.isRunning).toBe(true);
      bus.breakLibrary(null);
      await eventually(() => reader.status.state === 'waiting', 'the scanner once libusb is installed');
      await scanner.scan(TRACE);
      await eventually(() => scans.length === 1, 'a scan');
    } finally {
      await reader.stop();
    }
  });

  it('keeps retrying without crashing when node-hid cannot be loaded at all', async () => {
    const reader = new HidScannerReader(
      new NodeHidTransport({ path: '0c2e:0b61', hid: FakeNodeHid.failingLoader() }),
      OPTIONS,
    );
    const errors: DeviceStatus[] = [];
    reader.on('status', (s) => s.state === 'error' && errors.push(s));
    reader.start();
    try {
      await eventually(() => errors.length > 0, 'the error status');
      expect(errors[0].message).toMatch(/libusb-1\.0-0/);
      expect(reader.isRunning).toBe(true);
    } finally {
      await reader.stop();
    }
  });

  it('says when a code arrives damaged or incomplete, and goes on with the next one', async () => {
    const { bus, reader, scans, statuses } = setup();
    const scanner = HidPosScannerSimulator.plug(bus);
    reader.start();
    try {
      await eventually(() => reader.status.state === 'waiting', 'the scanner to be ready');
      const [damaged] = hidPosScanReports(TRACE, { aim: ']C0' });
      damaged[1] = 15; // the count no longer matches the data
      await scanner.device.send([damaged]);
      await eventually(() => reader.status.message.includes('长度与内容不符'), 'the damaged-code status');
      await scanner.device.send(hidPosScanReports(TOKEN).slice(0, 2)); // the rest never comes
      await eventually(() => reader.status.message.includes('没有传输完整'), 'the incomplete-code status');
      await scanner.scan(TRACE, ']C0');
      await eventually(() => scans.length === 1, 'the next scan');
      expect(scans[0].text).toBe(TRACE);
      expect(reader.status).toMatchObject({ state: 'waiting', message: '扫码枪已连接，请扫码' });
      expect(statuses.every((s) => s.state !== 'error')).toBe(true);
    } finally {
      await reader.stop();
    }
  });
});

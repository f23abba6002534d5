import { encodeHidPosReports, HID_POS_USAGE_PAGE } from '../protocols/hid-pos';
import {
  FakeHidAsync,
  FakeHidDevice,
  FakeNodeHid,
  HID_POS_SCANNER_SPEC,
  hidPosScanReports,
  LIBUDEV_MISSING,
  LIBUSB_MISSING,
} from './fake-node-hid';
import { hidTransportContract, HidWorld } from './hid-transport.contract';
import { listHidDevices, parseVidPid } from './hid-transport';
import { NodeHidTransport } from './node-hid-transport';
import { TransportError } from './transport-errors';
import { eventually } from '../testing/eventually';

/** A world with one HID POS scanner, the transport configured by `VID:PID` or by its hidraw path. */
function world(by: 'vid-pid' | 'hidraw'): () => Promise<HidWorld> {
  return async () => {
    const bus = new FakeNodeHid();
    bus.plug({ vendorId: 0x046d, productId: 0xc31c, product: 'USB Keyboard', usagePage: 0x01, usage: 0x06 }); // something else attached
    const spec = by === 'hidraw' ? { ...HID_POS_SCANNER_SPEC, path: '/dev/hidraw7' } : HID_POS_SCANNER_SPEC;
    let device = bus.plug(spec);
    let received: Buffer[] = [];
    const listen = (): void => void device.onWrite((r) => received.push(r));
    listen();
    const transports: NodeHidTransport[] = [];
    return {
      path: by === 'hidraw' ? '/dev/hidraw7' : '0c2e:0b61',
      listedAs: '0c2e:0b61',
      transportFor: (path) => {
        const t = new NodeHidTransport({ path, usagePage: HID_POS_USAGE_PAGE, hid: bus.loader });
        transports.push(t);
        return t;
      },
      deviceSend: async (report) => device.send([report]),
      deviceReceived: () => received,
      unplug: async () => device.unplug(),
      replug: async () => {
        device = bus.plug(spec);
        received = [];
        listen();
      },
      missingPath: by === 'hidraw' ? '/dev/hidraw9' : '0c2e:0b62',
      dispose: async () => {
        await Promise.all(transports.map((t) => t.close()));
        expect(bus.openHandles).toBe(0); // nothing leaked
      },
    };
  };
}

hidTransportContract('NodeHidTransport over the fake node-hid, by VID:PID', world('vid-pid'));
hidTransportContract('NodeHidTransport over the fake node-hid, by hidraw path', world('hidraw'));

describe(NodeHidTransport.name, () => {
  let bus: FakeNodeHid;
  beforeEach(() => {
    bus = new FakeNodeHid();
  });

  const transport = (path: string): NodeHidTransport =>
    new NodeHidTransport({ path, usagePage: HID_POS_USAGE_PAGE, hid: bus.loader });

  it('opens the HID POS interface of a scanner that also has a keyboard interface', async () => {
    const keyboard = bus.plug({ ...HID_POS_SCANNER_SPEC, interface: 0, usagePage: 0x01, usage: 0x06 });
    const pos = bus.plug({ ...HID_POS_SCANNER_SPEC, interface: 1 });
    const t = transport('0c2e:0b61');
    const reports: Buffer[] = [];
    t.onReport((r) => reports.push(r));
    await t.open();
    expect(pos.openHandles).toBe(1);
    expect(keyboard.openHandles).toBe(0);
    keyboard.emitReport([0x00, 0x00, 0x1e, 0, 0, 0, 0, 0]);
    await pos.scan('81234567890123456789');
    await eventually(() => reports.length > 0, 'the scan report');
    expect(reports).toEqual(hidPosScanReports('81234567890123456789'));
    await t.close();
  });

  it('says the scanner is in keyboard mode when it has no HID POS interface', async () => {
    bus.plug({ ...HID_POS_SCANNER_SPEC, usagePage: 0x01, usage: 0x06 });
    const error = (await transport('0c2e:0b61')
      .open()
      .catch((e: unknown) => e)) as TransportError;
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
    expect(error.message).toContain('键盘模式');
    expect(error.message).toContain('HID POS');
  });

  it('lists what is attached, or that nothing is', async () => {
    const none = (await transport('0c2e:0b61')
      .open()
      .catch((e: unknown) => e)) as TransportError;
    expect(none.message).toContain('没有检测到任何 HID 设备');
    bus.plug({
      vendorId: 0x1eab,
      productId: 0x1d10,
      manufacturer: 'Newland',
      product: 'FM430',
      usagePage: 0x8c,
      usage: 2,
    });
    const other = (await transport('0c2e:0b61')
      .open()
      .catch((e: unknown) => e)) as TransportError;
    expect(other.message).toContain('1eab:1d10 Newland FM430（/dev/hidraw0，usagePage 0x8c（HID POS））');
  });

  it('says what to do when permissions deny access', async () => {
    bus.plug(HID_POS_SCANNER_SPEC).refuseOpen('EACCES');
    for (const path of ['0c2e:0b61', '/dev/hidraw0']) {
      const error = (await transport(path)
        .open()
        .catch((e: unknown) => e)) as TransportError;
      expect(error).toMatchObject({ code: 'ACCESS_DENIED' });
      expect(error.message).toContain('udev');
      expect(error.message).toContain('Permission denied');
    }
    const byId = (await transport('0c2e:0b61')
      .open()
      .catch((e: unknown) => e)) as TransportError;
    expect(byId.message).toContain('ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0b61"');
  });

  it('says when another program holds the device', async () => {
    bus.plug(HID_POS_SCANNER_SPEC).refuseOpen('EBUSY');
    await expect(transport('0c2e:0b61').open()).rejects.toMatchObject({
      code: 'BUSY',
      message: expect.stringContaining('其他程序占用'),
    });
  });

  it.each([
    ['libusb', LIBUSB_MISSING, 'apt-get install libusb-1.0-0'],
    ['libudev', LIBUDEV_MISSING, 'apt-get install libudev1'],
  ])(
    'names the missing %s and how to install it, whether the loader or the binding fails',
    async (_lib, text, command) => {
      bus.plug(HID_POS_SCANNER_SPEC);
      const failingLoader = new NodeHidTransport({ path: '0c2e:0b61', hid: FakeNodeHid.failingLoader(text) });
      await expect(failingLoader.open()).rejects.toMatchObject({
        code: 'MISSING_LIBRARY',
        message: expect.stringContaining(command),
      });
      bus.breakLibrary(text);
      for (const path of ['0c2e:0b61', '/dev/hidraw0']) {
        await expect(transport(path).open()).rejects.toMatchObject({
          code: 'MISSING_LIBRARY',
          message: expect.stringContaining(command),
        });
      }
      await expect(listHidDevices({ hid: bus.loader })).rejects.toMatchObject({
        code: 'MISSING_LIBRARY',
        message: expect.stringContaining(command),
      });
      // Once the library is there the same transport opens: nothing was cached.
      bus.breakLibrary(null);
      const t = transport('0c2e:0b61');
      await t.open();
      await t.close();
    },
  );

  it('says to run npm install when node-hid itself is missing, and names both libraries when the failure does not say which', async () => {
    const noModule = new NodeHidTransport({
      path: '0c2e:0b61',
      hid: FakeNodeHid.failingLoader("Cannot find module 'node-hid'"),
    });
    await expect(noModule.open()).rejects.toMatchObject({
      code: 'MISSING_LIBRARY',
      message: expect.stringContaining('npm install'),
    });
    const unclear = new NodeHidTransport({
      path: '/dev/hidraw0',
      hid: FakeNodeHid.failingLoader('/x/HID_hidraw.node: undefined symbol: hid_init'),
    });
    const error = (await unclear.open().catch((e: unknown) => e)) as TransportError;
    expect(error).toMatchObject({ code: 'MISSING_LIBRARY' });
    expect(error.message).toContain('apt-get install libusb-1.0-0 libudev1');
  });

  it('finds a scanner by VID:PID after it comes back under another hidraw number', async () => {
    const first = bus.plug(HID_POS_SCANNER_SPEC);
    const t = transport('0c2e:0b61');
    const lost: TransportError[] = [];
    t.onDisconnect((e) => lost.push(e));
    await t.open();
    expect(first.path).toBe('/dev/hidraw0');
    first.unplug();
    const second = bus.plug(HID_POS_SCANNER_SPEC); // our handle still holds hidraw0
    expect(second.path).toBe('/dev/hidraw1');
    await eventually(() => lost.length > 0, 'the disconnect');
    const reports: Buffer[] = [];
    t.onReport((r) => reports.push(r));
    await t.open();
    await second.scan('ABC');
    await eventually(() => reports.length > 0, 'a report from the new node');
    await t.close();
    expect(bus.openHandles).toBe(0);
  });

  it('does not leave a handle open when closed while opening', async () => {
    bus.plug(HID_POS_SCANNER_SPEC);
    const t = transport('0c2e:0b61');
    const opening = t.open();
    await t.close();
    await expect(opening).rejects.toMatchObject({ code: 'NOT_OPEN' });
    expect(t.isOpen).toBe(false);
    expect(bus.openHandles).toBe(0);
  });
});

describe(listHidDevices.name, () => {
  it('lists vendor, product, path and usage page, loading node-hid only then', async () => {
    const bus = new FakeNodeHid();
    bus.plug(HID_POS_SCANNER_SPEC);
    bus.plug({ vendorId: 0x046d, productId: 0xc31c, usagePage: 0x01, usage: 0x06 });
    let loads = 0;
    const loader = (): FakeNodeHid['module'] => {
      loads += 1;
      return bus.module;
    };
    const transport = new NodeHidTransport({ path: '0c2e:0b61', hid: loader });
    expect(transport.isOpen).toBe(false);
    expect(loads).toBe(0); // constructing a transport loads nothing
    expect(await listHidDevices({ hid: loader })).toEqual([
      {
        vendorId: 0x0c2e,
        productId: 0x0b61,
        path: '/dev/hidraw0',
        manufacturer: 'Honeywell',
        product: 'Fake 1470g HID POS',
        usagePage: 0x8c,
        usage: 2,
        interface: 0,
      },
      { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw1', usagePage: 0x01, usage: 0x06, interface: 0 },
    ]);
    expect(loads).toBe(1);
  });

  it('parses VID:PID as IT staff write it', () => {
    expect(parseVidPid('0C2E:0b61')).toEqual({ vendorId: 0x0c2e, productId: 0x0b61 });
    expect(parseVidPid('/dev/hidraw0')).toBeUndefined();
    expect(parseVidPid('c2e:b61')).toBeUndefined();
  });
});

describe('the fake node-hid itself, where it copies node-hid', () => {
  let bus: FakeNodeHid;
  let device: FakeHidDevice;
  beforeEach(() => {
    bus = new FakeNodeHid();
    device = bus.plug(HID_POS_SCANNER_SPEC);
  });

  it('fails to open like hidapi does', async () => {
    await expect(bus.module.HIDAsync.open('/dev/hidraw5')).rejects.toThrow(
      "cannot open device with path /dev/hidraw5: Failed to open a device with path '/dev/hidraw5': No such file or directory",
    );
    await expect(bus.module.HIDAsync.open(0x0c2e, 0x0b62)).rejects.toThrow(
      'cannot open device with vendor id 0xc2e and product id 0xb62: No HID devices with requested VID/PID found in the system.',
    );
    bus.breakLibrary();
    expect(() => bus.module.devices()).toThrow(LIBUSB_MISSING);
    expect(() => FakeNodeHid.failingLoader()()).toThrow(expect.objectContaining({ code: 'ERR_DLOPEN_FAILED' }));
  });

  it('reads with read() when nobody listens for data, and refuses read() while the data listener reads', async () => {
    const handle = await bus.module.HIDAsync.open(0x0c2e, 0x0b61);
    device.emitReport([2, 1, 0, 0, 0, 0x41]);
    expect(await handle.read()).toEqual(Buffer.from([2, 1, 0, 0, 0, 0x41]));
    expect(await handle.read(0)).toEqual(Buffer.alloc(0)); // nothing queued: an empty buffer
    const data: Buffer[] = [];
    handle.on('data', (d: Buffer) => data.push(d));
    await new Promise((r) => process.nextTick(r));
    await expect(handle.read()).rejects.toThrow('Cannot use read while async read is running');
    expect(() => handle.resume()).toThrow('read is already running'); // what a second 'data' listener triggers
    await handle.close();
    await expect(handle.close()).rejects.toThrow('device is already closed');
    await expect(handle.write([0])).rejects.toThrow('device has been closed');
  });

  it('emits a string error when a reading device is unplugged', async () => {
    const handle: FakeHidAsync = await bus.module.HIDAsync.open('/dev/hidraw0');
    const errors: unknown[] = [];
    handle.on('error', (e) => errors.push(e));
    handle.on('data', () => undefined);
    device.unplug();
    await eventually(() => errors.length > 0, 'the read error');
    expect(errors).toEqual([
      'could not read from HID device: hid_read_timeout: unexpected poll error (device disconnected)',
    ]);
    await expect(handle.write([0])).rejects.toThrow('Cannot write to hid device: No such device');
    await handle.close();
  });

  it('turns a scanned string into the reports a scanner sends', () => {
    expect(hidPosScanReports('宁夏', { aim: ']Q1' })).toEqual(
      encodeHidPosReports(Buffer.from('宁夏', 'utf8'), { aim: ']Q1' }),
    );
    expect(hidPosScanReports('x'.repeat(57))).toHaveLength(2);
    expect(hidPosScanReports('x', { reportId: false })[0]).toHaveLength(63);
  });
});

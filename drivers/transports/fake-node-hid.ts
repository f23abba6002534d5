import { EventEmitter } from 'node:events';
import { encodeHidPosReports, HID_POS_USAGE_PAGE, HID_POS_USAGE_SCANNER } from '../protocols/hid-pos';
import { encodeGbk } from '../protocols/gbk-codec';
import type { NodeHidAsyncDevice, NodeHidDeviceRecord, NodeHidLoader, NodeHidModule } from './node-hid-transport';

/**
 * An in-memory stand-in for the `node-hid` module, at the boundary NodeHidTransport uses, so
 * that the real transport code runs in tests (this kernel has no uhid, so there is no virtual
 * HID device to open for real). It copies what node-hid 3.4 does on Linux (hidraw), read in
 * its nodehid.js and src/*.cc, including the rough edges:
 *
 * - devices()/devicesAsync() list plugged devices; usagePage/usage are absent when 0.
 * - HIDAsync.open(path | vid, pid) resolves asynchronously; failures reject with hidapi's text,
 *   e.g. "cannot open device with path P: Failed to open a device with path 'P': No such file
 *   or directory" (or ": Permission denied", ": Device or resource busy").
 * - A handle starts reading on the next tick after a 'data' listener is added; it emits 'data'
 *   with a Buffer per input report, each open handle getting its own copy (as each open
 *   /dev/hidraw file does), queued from the moment it was opened. Starting to read twice, or
 *   on a closed handle, throws a TypeError (node-hid does this inside a nextTick: uncaught).
 * - On unplug a reading handle emits 'error' with a *string*: "could not read from HID device:
 *   hid_read_timeout: unexpected poll error (device disconnected)", and stops reading; without
 *   an 'error' listener EventEmitter throws, as it does with node-hid.
 * - read() rejects while the data listener reads; write()/read() on a closed handle reject with
 *   "device has been closed"; closing twice rejects with "device is already closed".
 * - The hidraw minor of an unplugged device stays taken while a handle to it is open, so a
 *   re-plugged device can come back under another /dev/hidrawN.
 * - When libusb is missing, every call that loads the binding throws the loader's error
 *   (`breakLibrary`), or the loader itself fails (`FakeNodeHid.failingLoader`).
 */

export interface FakeHidDeviceSpec {
  vendorId: number;
  productId: number;
  /** Default: the lowest free /dev/hidrawN. */
  path?: string;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
  release?: number;
  interface?: number;
  usagePage?: number;
  usage?: number;
}

const DISCONNECTED = 'hid_read_timeout: unexpected poll error (device disconnected)';

/** The dynamic loader's error when libusb is not installed, as Node reports it. */
export const LIBUSB_MISSING = 'libusb-1.0.so.0: cannot open shared object file: No such file or directory';
export const LIBUDEV_MISSING = 'libudev.so.1: cannot open shared object file: No such file or directory';

function dlopenError(text: string): Error {
  return Object.assign(new Error(text), { code: 'ERR_DLOPEN_FAILED' });
}

/** A virtual USB bus with the node-hid module on top of it. */
export class FakeNodeHid {
  private readonly plugged: FakeHidDevice[] = [];
  /** Unplugged devices whose hidraw minor is still held by an open handle. */
  private readonly lingering = new Set<FakeHidDevice>();
  private brokenLibrary: string | undefined;
  readonly module: FakeNodeHidModule;

  constructor() {
    this.module = new FakeNodeHidModule(this);
  }

  /** A loader that returns this fake module (pass as NodeHidTransport's `hid`). */
  get loader(): NodeHidLoader {
    return () => this.module;
  }

  /** A loader that fails as loading node-hid does when a system library is missing. */
  static failingLoader(text: string = LIBUSB_MISSING): NodeHidLoader {
    return () => {
      throw dlopenError(text);
    };
  }

  /** From now on every call that needs the native binding throws `text` (null: works again). */
  breakLibrary(text: string | null = LIBUSB_MISSING): void {
    this.brokenLibrary = text ?? undefined;
  }

  plug(spec: FakeHidDeviceSpec): FakeHidDevice {
    const path = spec.path ?? `/dev/hidraw${this.freeMinor()}`;
    const device = new FakeHidDevice({ ...spec, path }, this);
    this.plugged.push(device);
    return device;
  }

  /** Plugged devices, in enumeration order. */
  get devices(): readonly FakeHidDevice[] {
    return this.plugged;
  }

  /** Handles open on any device, unplugged ones included (to check for leaks). */
  get openHandles(): number {
    return [...this.plugged, ...this.lingering].reduce((n, d) => n + d.openHandles, 0);
  }

  checkLibrary(): void {
    if (this.brokenLibrary !== undefined) {
      throw dlopenError(this.brokenLibrary);
    }
  }

  removed(device: FakeHidDevice): void {
    const at = this.plugged.indexOf(device);
    if (at >= 0) {
      this.plugged.splice(at, 1);
    }
    this.released(device);
  }

  released(device: FakeHidDevice): void {
    if (device.openHandles > 0 && !device.isPlugged) {
      this.lingering.add(device);
    } else {
      this.lingering.delete(device);
    }
  }

  private freeMinor(): number {
    const taken = new Set(
      [...this.plugged, ...this.lingering]
        .map((d) => /^\/dev\/hidraw(\d+)$/.exec(d.path)?.[1])
        .filter((m) => m !== undefined),
    );
    let minor = 0;
    while (taken.has(String(minor))) {
      minor += 1;
    }
    return minor;
  }
}

/** The module object: what `require('node-hid')` returns, for the calls the transport makes and a few more. */
export class FakeNodeHidModule implements NodeHidModule {
  readonly HIDAsync: { open(pathOrVid: string | number, productId?: number): Promise<FakeHidAsync> };

  constructor(private readonly bus: FakeNodeHid) {
    this.HIDAsync = { open: (pathOrVid, productId) => this.open(pathOrVid, productId) };
  }

  devices(vendorId?: number, productId?: number): NodeHidDeviceRecord[] {
    this.bus.checkLibrary();
    return this.bus.devices
      .filter((d) => vendorId === undefined || (d.vendorId === vendorId && d.productId === productId))
      .map((d) => d.record());
  }

  async devicesAsync(vendorId?: number, productId?: number): Promise<NodeHidDeviceRecord[]> {
    const list = this.devices(vendorId, productId);
    await new Promise((resolve) => setImmediate(resolve)); // enumeration runs on a worker thread
    return list;
  }

  getHidapiVersion(): string {
    this.bus.checkLibrary();
    return '0.15.0';
  }

  private async open(pathOrVid: string | number, productId?: number): Promise<FakeHidAsync> {
    this.bus.checkLibrary();
    await new Promise((resolve) => setImmediate(resolve));
    if (typeof pathOrVid === 'string') {
      const device = this.bus.devices.find((d) => d.path === pathOrVid);
      const failed = (reason: string): Error =>
        new Error(
          `cannot open device with path ${pathOrVid}: Failed to open a device with path '${pathOrVid}': ${reason}`,
        );
      if (device === undefined) {
        throw failed('No such file or directory');
      }
      if (device.refusal !== undefined) {
        throw failed(device.refusal);
      }
      return device.attach();
    }
    const what = `cannot open device with vendor id 0x${pathOrVid.toString(16)} and product id 0x${(productId ?? 0).toString(16)}`;
    const device = this.bus.devices.find((d) => d.vendorId === pathOrVid && d.productId === productId);
    if (!device) {
      throw new Error(`${what}: No HID devices with requested VID/PID found in the system.`);
    }
    if (device.refusal !== undefined) {
      throw new Error(`${what}: Failed to open a device with path '${device.path}': ${device.refusal}`);
    }
    return device.attach();
  }
}

/** One plugged (or formerly plugged) device interface: the device side of the fake. */
export class FakeHidDevice {
  private readonly handles = new Set<FakeHidAsync>();
  private plugged = true;
  private readonly writeListeners = new Set<(report: Buffer) => void>();
  /** Output reports the host wrote, in order. */
  readonly written: Buffer[] = [];
  /** strerror text an open fails with (permissions, exclusive use), or undefined. */
  refusal: string | undefined;

  constructor(
    readonly spec: FakeHidDeviceSpec & { path: string },
    private readonly bus: FakeNodeHid,
  ) {}

  get path(): string {
    return this.spec.path;
  }

  get vendorId(): number {
    return this.spec.vendorId;
  }

  get productId(): number {
    return this.spec.productId;
  }

  get isPlugged(): boolean {
    return this.plugged;
  }

  get openHandles(): number {
    return this.handles.size;
  }

  record(): NodeHidDeviceRecord {
    const s = this.spec;
    return {
      vendorId: s.vendorId,
      productId: s.productId,
      path: s.path,
      serialNumber: s.serialNumber ?? '',
      manufacturer: s.manufacturer ?? '',
      product: s.product ?? '',
      release: s.release ?? 0x0100,
      interface: s.interface ?? 0,
      ...(s.usagePage ? { usagePage: s.usagePage } : {}),
      ...(s.usage ? { usage: s.usage } : {}),
    };
  }

  /** Opens fail like hidraw with these permissions / another program holding it (null: open again). */
  refuseOpen(reason: 'EACCES' | 'EBUSY' | null): void {
    this.refusal =
      reason === 'EACCES' ? 'Permission denied' : reason === 'EBUSY' ? 'Device or resource busy' : undefined;
  }

  /** The device sends one input report (report ID first when it numbers its reports). */
  emitReport(report: Uint8Array | number[]): void {
    if (!this.plugged) {
      return;
    }
    for (const handle of this.handles) {
      handle.received(Buffer.from(report));
    }
  }

  /** Sends reports one after the other, a poll interval apart, as a device does. */
  async send(reports: readonly Uint8Array[]): Promise<void> {
    for (const report of reports) {
      this.emitReport(report);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Sends the HID POS reports of a scanned code (see hidPosScanReports). */
  async scan(text: string, options: HidPosScanOptions = {}): Promise<void> {
    await this.send(hidPosScanReports(text, options));
  }

  /** Output reports the host writes. */
  onWrite(listener: (report: Buffer) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** Pull the cable: reading handles get an 'error', the device leaves the list. */
  unplug(): void {
    if (!this.plugged) {
      return;
    }
    this.plugged = false;
    for (const handle of this.handles) {
      handle.deviceGone();
    }
    this.bus.removed(this);
  }

  attach(): FakeHidAsync {
    const handle = new FakeHidAsync(this);
    this.handles.add(handle);
    return handle;
  }

  detach(handle: FakeHidAsync): void {
    this.handles.delete(handle);
    this.bus.released(this);
  }

  hostWrote(report: Buffer): void {
    this.written.push(report);
    for (const l of this.writeListeners) {
      l(report);
    }
  }
}

/** An open handle, like node-hid's HIDAsync. */
export class FakeHidAsync extends EventEmitter implements NodeHidAsyncDevice {
  private queue: Buffer[] = [];
  private reading = false;
  private closing = false;
  private closed = false;
  private gone = false;
  private pumpScheduled = false;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly device: FakeHidDevice) {
    super();
    this.on('newListener', (event: string) => {
      if (event === 'data') {
        process.nextTick(() => this.resume());
      }
    });
    this.on('removeListener', (event: string) => {
      if (event === 'data' && this.listenerCount('data') === 0) {
        process.nextTick(() => this.pause());
      }
    });
  }

  /** node-hid's resume(): starts the read thread when someone listens for 'data'. */
  resume(): void {
    if (this.listenerCount('data') === 0) {
      return;
    }
    if (this.closed) {
      throw new TypeError('device has been closed');
    }
    if (this.reading) {
      throw new TypeError('read is already running');
    }
    this.reading = true;
    this.schedulePump();
  }

  pause(): void {
    this.reading = false;
  }

  async read(timeoutMs?: number): Promise<Buffer> {
    if (this.closed) {
      throw new TypeError('device has been closed');
    }
    if (this.reading) {
      throw new TypeError('Cannot use read while async read is running');
    }
    await new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      const next = this.queue.shift();
      if (next) {
        return next;
      }
      if (this.gone) {
        throw new Error(`could not read data from device: ${DISCONNECTED}`);
      }
      if (timeoutMs === 0) {
        return Buffer.alloc(0);
      }
      const arrived = await this.waitForReport(timeoutMs);
      if (!arrived) {
        return Buffer.alloc(0); // timed out: node-hid gives an empty buffer
      }
    }
  }

  async write(values: number[] | Buffer): Promise<number> {
    if (this.closed) {
      throw new TypeError('device has been closed');
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (this.gone) {
      throw new Error('Cannot write to hid device: No such device');
    }
    const report = Buffer.from(values);
    this.device.hostWrote(report);
    return report.length;
  }

  async getDeviceInfo(): Promise<NodeHidDeviceRecord> {
    if (this.closed) {
      throw new TypeError('device has been closed');
    }
    return this.device.record();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.closed) {
      throw new TypeError('device is already closed');
    }
    this.closed = true;
    this.reading = false;
    this.queue = [];
    this.device.detach(this);
    await new Promise((resolve) => setImmediate(resolve));
    this.removeAllListeners();
  }

  received(report: Buffer): void {
    if (this.closed) {
      return;
    }
    this.queue.push(report);
    for (const wake of this.waiters) {
      wake();
    }
    this.schedulePump();
  }

  deviceGone(): void {
    this.gone = true;
    for (const wake of this.waiters) {
      wake();
    }
    this.schedulePump();
  }

  /** The read thread: hands queued reports over, one callback each, then notices a lost device. */
  private schedulePump(): void {
    if (!this.reading || this.pumpScheduled) {
      return;
    }
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (!this.reading || this.closed) {
        return;
      }
      const next = this.queue.shift();
      if (next) {
        this.emit('data', next);
        this.schedulePump();
        return;
      }
      if (this.gone) {
        this.reading = false; // the read thread ends after reporting the error
        if (!this.closing) {
          this.emit('error', `could not read from HID device: ${DISCONNECTED}`);
        }
      }
    });
  }

  private waitForReport(timeoutMs: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined || timeoutMs < 0 ? undefined : setTimeout(() => finish(false), timeoutMs);
      const finish = (arrived: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(arrived);
      };
      const wake = (): void => finish(true);
      this.waiters.add(wake);
    });
  }
}

export interface HidPosScanOptions {
  /** AIM identifier, e.g. "]d2"; absent: the scanner sends 00 00 00. */
  aim?: string;
  /** How the scanner encodes text (default UTF-8; some Chinese scanners send GBK). */
  encoding?: 'utf-8' | 'gbk';
  /** Report ID first, as hidraw delivers numbered reports (default true). */
  reportId?: boolean;
  /** Vendor symbology byte at offset 61 (Honeywell code ID), default 0. */
  vendorSymbology?: number;
}

/** The exact HID POS input reports a scanner sends for `text` (layout: protocols/hid-pos.ts). */
export function hidPosScanReports(text: string, options: HidPosScanOptions = {}): Buffer[] {
  const bytes = options.encoding === 'gbk' ? encodeGbk(text) : Buffer.from(text, 'utf8');
  return encodeHidPosReports(bytes, {
    aim: options.aim,
    reportId: options.reportId,
    vendorSymbology: options.vendorSymbology,
  });
}

/** A Honeywell-like scanner in HID POS mode: one interface, usage page 0x8C, usage 0x02. */
export const HID_POS_SCANNER_SPEC: FakeHidDeviceSpec = {
  vendorId: 0x0c2e,
  productId: 0x0b61,
  manufacturer: 'Honeywell',
  product: 'Fake 1470g HID POS',
  usagePage: HID_POS_USAGE_PAGE,
  usage: HID_POS_USAGE_SCANNER,
};

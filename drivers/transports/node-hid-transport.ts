import type * as NodeHid from 'node-hid';
import { describeHidDevice, HidDeviceInfo, HidTransport, parseVidPid } from './hid-transport';
import { Listeners } from './listeners';
import { DisconnectedError, TransportError } from './transport-errors';

/**
 * The real HID transport, on `node-hid` (hidapi; on Linux through /dev/hidraw*). node-hid is a
 * native module that needs libusb-1.0 and libudev at load time, so it is loaded only when a HID
 * device is opened or listed, through a loader that tests replace with the fake
 * (fake-node-hid.ts): everything here runs in the tests, only node-hid itself is swapped.
 *
 * Things about node-hid 3.4 this code is shaped by (read in its nodehid.js and src/*.cc):
 * - `require('node-hid')` loads nothing native; the binding is loaded by the first call that
 *   needs it (devices, open, getHidapiVersion). The default loader calls getHidapiVersion() so
 *   that a missing libusb shows up as a load failure, not as a strange open error; a binding
 *   that fails to load is retried on the next call, so installing the library is enough.
 * - HIDAsync starts its read thread on the next tick after a 'data' listener is added, and a
 *   second 'data' listener (or a close in between) makes that start throw inside a nextTick,
 *   which nothing can catch: exactly one 'data' listener is added per handle, and it is removed
 *   before the handle is closed.
 * - A read error is emitted as 'error' with a *string*, and with no 'error' listener it becomes
 *   an uncaught exception; after it the read thread has stopped. Every read error therefore
 *   means "device gone" here. Closing a closed handle rejects ("device is already closed").
 * - Opening by VID/PID takes the first matching interface, which on a scanner with a keyboard
 *   interface is the wrong one: VID:PID is resolved here through the device list instead,
 *   preferring the interface with the configured usage page.
 */

/** A device as node-hid lists it. */
export interface NodeHidDeviceRecord {
  vendorId: number;
  productId: number;
  path?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  release: number;
  interface: number;
  usagePage?: number;
  usage?: number;
}

/** The part of node-hid's HIDAsync this transport uses. */
export interface NodeHidAsyncDevice {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeAllListeners(event?: 'data' | 'error'): unknown;
  close(): Promise<void>;
  write(values: number[] | Buffer): Promise<number>;
}

/** The part of the node-hid module this transport uses (the fake implements the same). */
export interface NodeHidModule {
  devicesAsync(): Promise<NodeHidDeviceRecord[]>;
  HIDAsync: { open(path: string): Promise<NodeHidAsyncDevice> };
}

/** Loads node-hid; throws when it (or a library it needs) cannot be loaded. */
export type NodeHidLoader = () => NodeHidModule;

/** The real node-hid, loaded on first use. */
export const loadNodeHid: NodeHidLoader = () => {
  const hid = require('node-hid') as typeof NodeHid;
  hid.getHidapiVersion(); // loads the native binding now: a missing libusb fails here
  return hid;
};

export interface NodeHidTransportOptions {
  /** `VID:PID` in hex (e.g. `0c2e:0b61`) or a device path (e.g. `/dev/hidraw3`). */
  path: string;
  /** With `VID:PID`: open the interface with this usage page (0x8C for a HID POS scanner). */
  usagePage?: number;
  /** Replaces node-hid (tests plug the fake in here). */
  hid?: NodeHidLoader;
}

export class NodeHidTransport implements HidTransport {
  private device: NodeHidAsyncDevice | undefined;
  private opening = false;
  /** Bumped by every close and loss, so an open that finishes afterwards knows it is stale. */
  private generation = 0;
  private readonly listeners = new Listeners<{ report: Buffer; disconnect: TransportError }>();

  constructor(private readonly options: NodeHidTransportOptions) {}

  get path(): string {
    return this.options.path;
  }

  get isOpen(): boolean {
    return this.device !== undefined;
  }

  async open(): Promise<void> {
    if (this.device || this.opening) {
      throw new TransportError('BUSY', `HID 设备 ${this.path} 已经打开`);
    }
    this.opening = true;
    const generation = this.generation;
    try {
      const hid = loadModule(this.options.hid ?? loadNodeHid);
      const target = await this.resolve(hid);
      let device: NodeHidAsyncDevice;
      try {
        device = await hid.HIDAsync.open(target.path);
      } catch (e) {
        throw await this.openError(hid, target, e);
      }
      if (generation !== this.generation) {
        await device.close().catch(() => undefined);
        throw new TransportError('NOT_OPEN', `HID 设备 ${this.path} 在打开过程中被关闭`);
      }
      this.attach(device);
    } finally {
      this.opening = false;
    }
  }

  async write(report: Buffer): Promise<void> {
    const device = this.device;
    if (!device) {
      throw new TransportError('NOT_OPEN', `HID 设备 ${this.path} 未打开`);
    }
    try {
      await device.write(report);
    } catch (e) {
      throw new TransportError('IO', `写 HID 设备 ${this.path} 失败 (${errorText(e)})`, e);
    }
  }

  async close(): Promise<void> {
    this.generation += 1;
    const device = this.device;
    this.device = undefined;
    if (device) {
      await closeQuietly(device);
    }
  }

  onReport(listener: (report: Buffer) => void): () => void {
    return this.listeners.on('report', listener);
  }

  onDisconnect(listener: (error: TransportError) => void): () => void {
    return this.listeners.on('disconnect', listener);
  }

  private attach(device: NodeHidAsyncDevice): void {
    this.device = device;
    // The 'error' listener first: a read error without one is an uncaught exception.
    device.on('error', (error) => this.lost(device, error));
    device.on('data', (data) => {
      if (this.device === device) {
        this.listeners.emit('report', data);
      }
    });
  }

  private lost(device: NodeHidAsyncDevice, error: unknown): void {
    if (this.device !== device) {
      return;
    }
    this.device = undefined;
    this.generation += 1;
    void closeQuietly(device); // the read thread has stopped; free the handle
    this.listeners.emit(
      'disconnect',
      new DisconnectedError(`HID 设备 ${this.path} 已断开：请检查数据线和设备电源 (${errorText(error)})`, error),
    );
  }

  /** What to open: the configured path, or the interface a `VID:PID` stands for. */
  private async resolve(hid: NodeHidModule): Promise<{ path: string; vendorId?: number; productId?: number }> {
    const ids = parseVidPid(this.path);
    if (!ids) {
      return { path: this.path };
    }
    const all = await listDevices(hid);
    const matching = all.filter((d) => d.vendorId === ids.vendorId && d.productId === ids.productId);
    if (matching.length === 0) {
      throw notFound(this.path, all);
    }
    const usagePage = this.options.usagePage;
    if (usagePage !== undefined && matching.some((d) => d.usagePage !== undefined)) {
      const wanted = matching.find((d) => d.usagePage === usagePage);
      if (!wanted) {
        const hint =
          usagePage === 0x8c
            ? '扫码枪可能处于键盘模式：请扫描说明书中的“USB HID POS”设置码，然后重新插拔扫码枪'
            : '请确认设备型号和工作模式';
        throw new TransportError(
          'NOT_FOUND',
          `找到 HID 设备 ${this.path}，但它没有 usagePage 0x${usagePage.toString(16)} 的接口（${matching.map(describeHidDevice).join('；')}）：${hint}`,
        );
      }
      return wanted;
    }
    // libusb lists no usage pages: take the first interface, as node-hid would.
    return matching[0];
  }

  private async openError(
    hid: NodeHidModule,
    target: { path: string; vendorId?: number; productId?: number },
    error: unknown,
  ): Promise<TransportError> {
    const text = errorText(error);
    if (isLoadFailure(error)) {
      return missingLibraryError(error);
    }
    const where = target.path === this.path ? this.path : `${this.path}（${target.path}）`;
    if (/No such file|ENOENT|not found|No HID devices/i.test(text)) {
      return notFound(where, await listDevices(hid).catch(() => []), error);
    }
    if (/Permission denied|EACCES|access denied/i.test(text)) {
      const ids =
        target.vendorId === undefined ? undefined : { vendorId: target.vendorId, productId: target.productId ?? 0 };
      const rule = ids
        ? `KERNEL=="hidraw*", ATTRS{idVendor}=="${hex4(ids.vendorId)}", ATTRS{idProduct}=="${hex4(ids.productId)}", MODE="0660", GROUP="plugdev"`
        : 'KERNEL=="hidraw*", ATTRS{idVendor}=="<厂商ID>", ATTRS{idProduct}=="<产品ID>", MODE="0660", GROUP="plugdev"';
      return new TransportError(
        'ACCESS_DENIED',
        `没有权限打开 HID 设备 ${where}：/dev/hidraw* 默认只有 root 可读写。请在 /etc/udev/rules.d/ 下添加规则 ${rule}，把运行网关的用户加入 plugdev 组，执行 udevadm control --reload-rules 后重新插拔设备 (${text})`,
        error,
      );
    }
    if (/busy|exclusive access|being used by another process/i.test(text)) {
      return new TransportError(
        'BUSY',
        `HID 设备 ${where} 正被其他程序占用：请关闭其他扫码或读卡软件后重试 (${text})`,
        error,
      );
    }
    return new TransportError('IO', `打开 HID 设备 ${where} 失败 (${text})`, error);
  }
}

/** The HID devices node-hid sees (see listHidDevices in hid-transport.ts). */
export async function listNodeHidDevices(loader: NodeHidLoader = loadNodeHid): Promise<HidDeviceInfo[]> {
  return listDevices(loadModule(loader));
}

function loadModule(loader: NodeHidLoader): NodeHidModule {
  try {
    return loader();
  } catch (e) {
    throw missingLibraryError(e);
  }
}

async function listDevices(hid: NodeHidModule): Promise<HidDeviceInfo[]> {
  let records: NodeHidDeviceRecord[];
  try {
    records = await hid.devicesAsync();
  } catch (e) {
    throw isLoadFailure(e)
      ? missingLibraryError(e)
      : new TransportError('IO', `列出 HID 设备失败 (${errorText(e)})`, e);
  }
  return records.flatMap((r) =>
    r.path === undefined
      ? []
      : [
          {
            vendorId: r.vendorId,
            productId: r.productId,
            path: r.path,
            ...(r.product ? { product: r.product } : {}),
            ...(r.manufacturer ? { manufacturer: r.manufacturer } : {}),
            ...(r.serialNumber ? { serialNumber: r.serialNumber } : {}),
            ...(r.usagePage === undefined ? {} : { usagePage: r.usagePage }),
            ...(r.usage === undefined ? {} : { usage: r.usage }),
            interface: r.interface,
          },
        ],
  );
}

function notFound(path: string, attached: HidDeviceInfo[], cause?: unknown): TransportError {
  const shown = attached.slice(0, 10).map(describeHidDevice);
  const more = attached.length > shown.length ? `等 ${attached.length} 个` : '';
  const list =
    attached.length === 0 ? '本机当前没有检测到任何 HID 设备' : `本机当前连接的 HID 设备：${shown.join('；')}${more}`;
  return new TransportError(
    'NOT_FOUND',
    `HID 设备 ${path} 不存在：请检查扫码枪是否已连接、配置中的 VID:PID 或设备路径是否正确。${list}`,
    cause,
  );
}

/** node-hid (or the native library under it) could not be loaded. */
function isLoadFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === 'ERR_DLOPEN_FAILED' ||
    code === 'MODULE_NOT_FOUND' ||
    /cannot open shared object file|Failed to find binding|Cannot find module|undefined symbol|wrong ELF class|invalid ELF header/i.test(
      errorText(error),
    )
  );
}

/**
 * A Chinese message that names what is missing and how to install it. The loader's error text
 * names the library: glibc says "libusb-1.0.so.0: cannot open shared object file: …".
 */
export function missingLibraryError(error: unknown): TransportError {
  const text = errorText(error);
  let message: string;
  if (/libudev/i.test(text)) {
    message = '缺少系统库 libudev（libudev.so.1），HID 扫码枪无法使用：请在网关主机上执行 apt-get install libudev1';
  } else if (/libusb/i.test(text)) {
    message =
      '缺少系统库 libusb-1.0（libusb-1.0.so.0），HID 扫码枪无法使用：请在网关主机上执行 apt-get install libusb-1.0-0';
  } else if (/Cannot find module 'node-hid'/i.test(text)) {
    message = '没有安装 HID 驱动模块 node-hid，HID 扫码枪无法使用：请在网关安装目录执行 npm install';
  } else if (/Failed to find binding/i.test(text)) {
    message = `node-hid 没有适合本机（${process.platform}-${process.arch}）的预编译驱动，HID 扫码枪无法使用：请先执行 apt-get install libusb-1.0-0-dev libudev-dev，再在网关安装目录执行 npm rebuild node-hid`;
  } else {
    message =
      '无法加载 HID 驱动 node-hid，HID 扫码枪无法使用：请确认已安装系统库 libusb-1.0 和 libudev（apt-get install libusb-1.0-0 libudev1）';
  }
  return new TransportError(
    'MISSING_LIBRARY',
    `${message}；安装后网关会自动重试，仍不行请重启网关服务 (${text})`,
    error,
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

async function closeQuietly(device: NodeHidAsyncDevice): Promise<void> {
  // Removing the 'data' listener first keeps node-hid's pending read start (queued on the next
  // tick when the listener was added) from running on a closed handle.
  device.removeAllListeners('data');
  await device.close().catch(() => undefined);
}

import type { NodeHidLoader } from './node-hid-transport';
import type { TransportError } from './transport-errors';

/**
 * One USB HID device (a scanner in HID POS mode, …), as the readers see it.
 *
 * `path` is what the hospital configured: `VID:PID` in hex (e.g. `0c2e:0b61`, the interface
 * with the wanted usage page when the device has several) or an operating-system path
 * (`/dev/hidraw3` on Linux).
 *
 * Contract (checked by hid-transport.contract.ts against every implementation):
 * - `open()` resolves once reports can flow; it rejects with a TransportError whose `code` says
 *   what to check: NOT_FOUND (no such device; the message names the path and lists what is
 *   attached), ACCESS_DENIED (permissions / udev rule), BUSY (held by another program, or this
 *   transport is already open), MISSING_LIBRARY (the HID library or a system library it needs
 *   is not installed; the message names it and says how to install it).
 * - Report listeners get every input report exactly once, in order, each as one whole Buffer
 *   (never split or joined), the report ID first when the device numbers its reports.
 * - `write()` (when present) sends one output report, report ID first; it resolves when the
 *   report is handed to the operating system and rejects with NOT_OPEN on a closed transport.
 * - When the device goes away while open, disconnect listeners are called once with a
 *   DisconnectedError (`disconnected: true`); the transport is then closed and may be opened
 *   again once the device is back.
 * - `close()` is idempotent; after it no listener is called. A close we asked for is not a
 *   disconnect.
 */
export interface HidTransport {
  readonly path: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Returns a function that removes the listener. */
  onReport(listener: (report: Buffer) => void): () => void;
  onDisconnect(listener: (error: TransportError) => void): () => void;
  write?(report: Buffer): Promise<void>;
}

/** A HID device (one interface of it) as found on the machine. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  /** What to open it by, e.g. `/dev/hidraw3`. */
  path: string;
  product?: string;
  manufacturer?: string;
  serialNumber?: string;
  /** 0x8C for a barcode scanner in HID POS mode; 0x01 (usage 0x06) for a keyboard. Linux hidraw, Windows and macOS report it; libusb does not. */
  usagePage?: number;
  usage?: number;
  interface?: number;
}

/** `0c2e:0b61` → { vendorId, productId }; `undefined` for anything else (a device path). */
export function parseVidPid(path: string): { vendorId: number; productId: number } | undefined {
  const match = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(path.trim());
  return match ? { vendorId: parseInt(match[1], 16), productId: parseInt(match[2], 16) } : undefined;
}

/** `0c2e:0b61`, as IT staff write it in the configuration. */
export function formatVidPid(vendorId: number, productId: number): string {
  return `${hex4(vendorId)}:${hex4(productId)}`;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** One line per device for messages and logs, e.g. `0c2e:0b61 Honeywell 1470g（/dev/hidraw3，usagePage 0x8c（HID POS））`. */
export function describeHidDevice(d: HidDeviceInfo): string {
  const name = [d.manufacturer, d.product].filter((s) => s !== undefined && s !== '').join(' ');
  const usage =
    d.usagePage === undefined
      ? ''
      : `，usagePage 0x${d.usagePage.toString(16)}${d.usagePage === 0x8c ? '（HID POS）' : ''}`;
  return `${formatVidPid(d.vendorId, d.productId)}${name ? ` ${name}` : ''}（${d.path}${usage}）`;
}

/**
 * The HID devices attached to this machine, through node-hid (loaded only now). Rejects with
 * a TransportError MISSING_LIBRARY when node-hid or a library it needs cannot be loaded.
 */
export async function listHidDevices(options: { hid?: NodeHidLoader } = {}): Promise<HidDeviceInfo[]> {
  // Imported here, not at the top: nothing HID is loaded until a HID device is used.
  const { listNodeHidDevices } = await import('./node-hid-transport');
  return listNodeHidDevices(options.hid);
}

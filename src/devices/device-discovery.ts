import { describeHidDevice, formatVidPid, HidDeviceInfo, listHidDevices } from '../../drivers/transports/hid-transport';
import { listSerialPorts, SerialPortInfo } from '../../drivers/transports/node-serial-transport';
import { describePcscReaders } from '../../drivers/transports/pcsclite-transport';

/** One kind of attachment: what was found, or why nothing could be looked for (Chinese). */
export type DiscoverySection<T> = { ok: true; items: T[]; note?: string } | { ok: false; message: string };

export interface HidFound {
  /** What to write in the device's `path`. */
  vidPid: string;
  path: string;
  description: string;
  /** A barcode scanner in HID POS mode (usage page 0x8C): configure it as a `hid` scanner. */
  hidPos: boolean;
}

export interface DiscoveryResult {
  serial: DiscoverySection<SerialPortInfo>;
  hid: DiscoverySection<HidFound>;
  pcsc: DiscoverySection<{ name: string }>;
}

/**
 * What is attached to this machine, for IT staff writing the `devices:` config: serial ports,
 * HID devices and PC/SC readers. Each part is looked for on its own; a missing library or
 * service (udev, libusb, pcscd) is reported in its part and does not hide the others.
 */
export async function discoverDevices(): Promise<DiscoveryResult> {
  const [serial, hid, pcsc] = await Promise.all([
    section(async () => {
      const list = await listSerialPorts();
      return { items: list.ports, note: list.note };
    }),
    section(async () => ({ items: (await listHidDevices()).map(hidFound) })),
    (async (): Promise<DiscoverySection<{ name: string }>> => {
      const listing = await describePcscReaders({ timeoutMs: 3000 });
      return listing.error
        ? { ok: false, message: listing.error.message }
        : { ok: true, items: listing.readers.map((name) => ({ name })) };
    })(),
  ]);
  return { serial, hid, pcsc };
}

function hidFound(d: HidDeviceInfo): HidFound {
  return {
    vidPid: formatVidPid(d.vendorId, d.productId),
    path: d.path,
    description: describeHidDevice(d),
    hidPos: d.usagePage === 0x8c,
  };
}

async function section<T>(find: () => Promise<{ items: T[]; note?: string }>): Promise<DiscoverySection<T>> {
  try {
    const { items, note } = await find();
    return note ? { ok: true, items, note } : { ok: true, items };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

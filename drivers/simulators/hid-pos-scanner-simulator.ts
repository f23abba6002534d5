import { formatVidPid } from '../transports/hid-transport';
import {
  FakeHidDevice,
  FakeHidDeviceSpec,
  FakeNodeHid,
  HID_POS_SCANNER_SPEC,
  hidPosScanReports,
} from '../transports/fake-node-hid';

/** Honeywell code IDs (the vendor byte at offset 61) for the AIM code characters seen at a desk. */
const HONEYWELL_CODE_ID: Readonly<Record<string, number>> = {
  C: 0x6a, // Code 128
  d: 0x77, // Data Matrix
  E: 0x64, // EAN-13
  Q: 0x73, // QR Code
  L: 0x72, // PDF417
};

export interface HidPosScannerSimulatorOptions {
  /** How the scanner encodes text (default UTF-8; some Chinese scanners send GBK). */
  encoding?: 'utf-8' | 'gbk';
}

/**
 * A virtual QR/barcode scanner in USB HID POS mode on the fake node-hid: a scan sends the input
 * reports a real scanner sends (protocols/hid-pos.ts), report ID first as hidraw delivers them,
 * a code longer than 56 bytes in several reports.
 */
export class HidPosScannerSimulator {
  constructor(
    readonly device: FakeHidDevice,
    private readonly options: HidPosScannerSimulatorOptions = {},
  ) {}

  /** Plugs a scanner (Honeywell-like VID:PID, usage page 0x8C unless `spec` says otherwise). */
  static plug(
    bus: FakeNodeHid,
    spec: Partial<FakeHidDeviceSpec> = {},
    options: HidPosScannerSimulatorOptions = {},
  ): HidPosScannerSimulator {
    return new HidPosScannerSimulator(bus.plug({ ...HID_POS_SCANNER_SPEC, ...spec }), options);
  }

  /** `0c2e:0b61`, as the gateway is configured to find it. */
  get vidPid(): string {
    return formatVidPid(this.device.vendorId, this.device.productId);
  }

  /** The hidraw path it was given. */
  get path(): string {
    return this.device.path;
  }

  /**
   * Scans `text`. `symbology` is the AIM identifier the scanner reports (e.g. "]d2" for a GS1
   * DataMatrix, "]Q1" for QR); without it the AIM bytes are zero, as with identifiers disabled.
   */
  async scan(text: string, symbology?: string): Promise<void> {
    const honeywell =
      this.device.vendorId === 0x0c2e && symbology !== undefined ? HONEYWELL_CODE_ID[symbology.charAt(1)] : undefined;
    await this.device.send(
      hidPosScanReports(text, { aim: symbology, encoding: this.options.encoding, vendorSymbology: honeywell }),
    );
  }

  /** Pull the cable. */
  unplug(): void {
    this.device.unplug();
  }
}

import { classifyCode } from '../protocols/code-classifier';
import { HidPosAssembler, HidPosEvent, HidPosOptions } from '../protocols/hid-pos';
import type { HidTransport } from '../transports/hid-transport';
import type { TransportError } from '../transports/transport-errors';
import { ReconnectOptions, ReconnectingDevice } from './reconnecting-device';
import type { Scan } from './scanner-reader';

export interface HidScannerReaderOptions extends ReconnectOptions {
  hidPos: HidPosOptions;
}

export const DEFAULT_HID_SCANNER_OPTIONS: HidScannerReaderOptions = {
  hidPos: { reportId: 'auto', continuationTimeoutMs: 500 },
  reconnectBaseMs: 500,
  reconnectMaxMs: 10_000,
};

/**
 * A QR/barcode scanner in USB HID POS mode: joins its input reports into codes (hid-pos.ts),
 * classifies each one, emits 'scan' exactly as the serial ScannerReader does. Reconnects after
 * unplugs and keeps retrying while node-hid or libusb is missing (see ReconnectingDevice); every
 * problem is a status for IT staff, never an exception.
 */
export class HidScannerReader extends ReconnectingDevice<{ scan: [Scan] }> {
  private assembler: HidPosAssembler;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    transport: HidTransport,
    private readonly options: HidScannerReaderOptions = DEFAULT_HID_SCANNER_OPTIONS,
  ) {
    super(transport, options, '扫码枪');
    this.assembler = new HidPosAssembler(options.hidPos);
    transport.onReport((report) => this.onReport(report));
  }

  protected async session(): Promise<void> {
    this.assembler = new HidPosAssembler(this.options.hidPos);
    this.setStatus('waiting', '扫码枪已连接，请扫码');
    try {
      while (this.active) {
        await this.sleep(60_000);
      }
    } finally {
      clearTimeout(this.flushTimer);
    }
  }

  protected override onLineLost(_error: TransportError): void {
    clearTimeout(this.flushTimer);
    // A code cut off by the unplug is dropped; the disconnect status says what happened.
    this.assembler.end();
  }

  private onReport(report: Buffer): void {
    this.handle(this.assembler.push(report, performance.now()));
    this.armFlush();
  }

  /** While part of a code is buffered, drop it if its next report does not come in time. */
  private armFlush(): void {
    clearTimeout(this.flushTimer);
    if (this.assembler.pending) {
      this.flushTimer = setTimeout(() => {
        this.handle(this.assembler.flush(performance.now()));
        this.armFlush();
      }, this.assembler.continuationTimeoutMs + 5);
    }
  }

  private handle(events: HidPosEvent[]): void {
    for (const event of events) {
      if (event.kind === 'scan') {
        this.setStatus('waiting', '扫码枪已连接，请扫码'); // clears the message of an earlier bad scan
        this.emit('scan', {
          text: event.text,
          symbology: event.symbology,
          classification: classifyCode(event.text),
          at: new Date(),
        });
      } else {
        this.setStatus('waiting', event.message);
      }
    }
  }
}

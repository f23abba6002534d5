import { Classification, classifyCode } from '../protocols/code-classifier';
import { ScannerFramer, ScannerFramerOptions } from '../protocols/scanner-framing';
import type { AimSymbology } from '../protocols/aim-symbology';
import type { SerialTransport } from '../transports/serial-transport';
import { ReconnectOptions, ReconnectingDevice } from './reconnecting-device';

export interface Scan {
  text: string;
  symbology?: AimSymbology;
  /** What the code is (trace code, GS1 pack, ID number, QR token) or why it is refused. */
  classification: Classification;
  at: Date;
}

export interface ScannerReaderOptions extends ReconnectOptions {
  framing: ScannerFramerOptions;
}

export const DEFAULT_SCANNER_OPTIONS: ScannerReaderOptions = {
  framing: { terminator: 'CR', interByteTimeoutMs: 50 },
  reconnectBaseMs: 500,
  reconnectMaxMs: 10_000,
};

/**
 * A QR/barcode scanner in virtual-COM mode: frames the byte stream into codes, classifies each
 * one, emits 'scan'. Reconnects after unplugs (see ReconnectingDevice).
 */
export class ScannerReader extends ReconnectingDevice<{ scan: [Scan] }> {
  private framer: ScannerFramer;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    transport: SerialTransport,
    private readonly options: ScannerReaderOptions = DEFAULT_SCANNER_OPTIONS,
  ) {
    super(transport, options, '扫码枪');
    this.framer = new ScannerFramer(options.framing);
    transport.onData((chunk) => this.onData(chunk));
  }

  protected async session(): Promise<void> {
    this.framer = new ScannerFramer(this.options.framing);
    this.setStatus('waiting', '扫码枪已连接，请扫码');
    while (this.active) {
      await this.sleep(60_000);
    }
    clearTimeout(this.flushTimer);
  }

  private onData(chunk: Buffer): void {
    this.emitScans(this.framer.push(chunk, performance.now()));
    // Without a terminator (or a scanner that forgot it), a pause ends the code.
    clearTimeout(this.flushTimer);
    const timeout = this.options.framing.interByteTimeoutMs;
    if (timeout && this.framer.pending) {
      this.flushTimer = setTimeout(() => this.emitScans(this.framer.flush(performance.now())), timeout + 5);
    }
  }

  private emitScans(events: ReturnType<ScannerFramer['push']>): void {
    for (const event of events) {
      if (event.kind === 'scan') {
        this.emit('scan', {
          text: event.text,
          symbology: event.symbology,
          classification: classifyCode(event.text),
          at: new Date(),
        });
      } else {
        this.setStatus(
          'waiting',
          event.kind === 'overflow'
            ? `扫码内容过长（超过 ${event.maxLength} 字节），已丢弃，请重新扫码`
            : '收到无法识别的扫码数据，请重新扫码',
        );
      }
    }
  }
}

import type { ScannerTerminator } from '../protocols/scanner-framing';
import type { DeviceLine } from './id-card-simulator';

const TERMINATORS: Record<ScannerTerminator, Buffer> = {
  CR: Buffer.from([0x0d]),
  LF: Buffer.from([0x0a]),
  CRLF: Buffer.from([0x0d, 0x0a]),
  TAB: Buffer.from([0x09]),
  none: Buffer.alloc(0),
};

/**
 * A virtual QR/barcode scanner in virtual-COM mode: sends a code the way a scanner does — the
 * optional AIM symbology identifier, the bytes (UTF-8, or GBK when asked), the terminator —
 * in small chunks, as a serial line delivers them.
 */
export class ScannerSimulator {
  constructor(
    private readonly line: DeviceLine,
    private readonly terminator: ScannerTerminator = 'CR',
  ) {
    line.onReceive(() => undefined); // scanners ignore what the host sends
  }

  async scan(text: string, options: { aim?: string; chunkSize?: number } = {}): Promise<void> {
    const bytes = Buffer.concat([
      Buffer.from(options.aim ?? '', 'latin1'),
      Buffer.from(text, 'utf8'),
      TERMINATORS[this.terminator],
    ]);
    const size = options.chunkSize ?? 8;
    for (let i = 0; i < bytes.length; i += size) {
      await this.line.send(bytes.subarray(i, i + size));
    }
  }
}

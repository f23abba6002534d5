import { AimSymbology, parseAimIdentifier } from './aim-symbology';
import { tryDecodeGbk, tryDecodeUtf8 } from './gbk-codec';
import { ProtocolError } from './protocol-error';

/**
 * Cuts the byte stream of a QR/barcode scanner in virtual-COM mode into codes. Serial reads
 * split and join codes arbitrarily, so this is incremental: bytes are kept until a terminator
 * arrives, the line goes quiet for longer than the inter-byte timeout, or the port closes.
 * Time is passed in (`nowMs`), never read, so the framer stays pure and testable.
 *
 * Each code: [prefix][AIM id][data][suffix][terminator], the order scanners add them in.
 * - The terminator is exactly the configured one; with CRLF a lone CR is data, and a CR left
 *   hanging when the line goes quiet is taken as a cut-off terminator.
 * - GS (0x1D, FNC1 in GS1 codes) and every other byte stay in the text: they separate AIs.
 * - Text is UTF-8; bytes that are not valid UTF-8 are tried as GBK (some Chinese scanners
 *   send GBK); neither gives an `invalid` event rather than text full of U+FFFD. A short
 *   GBK code can happen to be valid UTF-8 too; UTF-8 wins, as it does on the scanners' side.
 * - A code longer than `maxLength` bytes gives one `overflow` event; the rest of it, up to
 *   the next terminator or pause, is dropped so that its tail is not reported as a code.
 */

export type ScannerTerminator = 'CR' | 'LF' | 'CRLF' | 'TAB' | 'none';

export interface ScannerFramerOptions {
  /** Default 'CR', the factory setting of most scanners. */
  readonly terminator?: ScannerTerminator;
  /** A pause of at least this long ends a code. Required (> 0) with terminator 'none'. */
  readonly interByteTimeoutMs?: number;
  /** Configured prefix/suffix to strip (removed when present). */
  readonly prefix?: string;
  readonly suffix?: string;
  /** Longest code in bytes, default 4096. */
  readonly maxLength?: number;
}

export type ScanEvent =
  | {
      readonly kind: 'scan';
      readonly text: string;
      readonly symbology?: AimSymbology;
      readonly encoding: 'utf-8' | 'gbk';
      /** The code's bytes as received, terminator excluded. */
      readonly raw: Buffer;
    }
  | { readonly kind: 'overflow'; readonly maxLength: number; /** The first `maxLength` bytes. */ readonly raw: Buffer }
  | { readonly kind: 'invalid'; readonly reason: 'not-text' | 'empty'; readonly raw: Buffer };

const CR = 0x0d;
const LF = 0x0a;
const TERMINATOR_BYTE: Readonly<Record<Exclude<ScannerTerminator, 'CRLF' | 'none'>, number>> = { CR, LF, TAB: 0x09 };

export class ScannerFramer {
  private readonly terminator: ScannerTerminator;
  private readonly timeoutMs: number;
  private readonly maxLength: number;
  private readonly prefix: Buffer;
  private readonly suffix: Buffer;
  private frame: number[] = [];
  private discarding = false;
  private pendingCr = false;
  /** A CR was cut off by a pause: its LF, if it comes next, is not data. */
  private swallowLf = false;
  private lastByteAt: number | undefined;

  constructor(options: ScannerFramerOptions = {}) {
    this.terminator = options.terminator ?? 'CR';
    this.timeoutMs = options.interByteTimeoutMs ?? 0;
    this.maxLength = options.maxLength ?? 4096;
    this.prefix = Buffer.from(options.prefix ?? '', 'utf8');
    this.suffix = Buffer.from(options.suffix ?? '', 'utf8');
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs < 0) {
      throw new ProtocolError('SCANNER_BAD_OPTIONS', `扫码枪字符间隔超时必须是非负数：${this.timeoutMs}`);
    }
    if (this.terminator === 'none' && this.timeoutMs === 0) {
      throw new ProtocolError('SCANNER_BAD_OPTIONS', '扫码枪未设置结束符时必须设置字符间隔超时，否则无法分隔条码');
    }
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) {
      throw new ProtocolError('SCANNER_BAD_OPTIONS', `扫码枪最大条码长度必须是正整数：${this.maxLength}`);
    }
  }

  /** `true` while part of a code is buffered (the caller may arm a timer for `flush`). */
  get pending(): boolean {
    return this.frame.length > 0 || this.discarding || this.pendingCr;
  }

  push(chunk: Uint8Array, nowMs: number): ScanEvent[] {
    const events = this.flush(nowMs);
    for (const byte of chunk) {
      this.take(byte, events);
    }
    if (chunk.length > 0) {
      this.lastByteAt = nowMs;
    }
    return events;
  }

  /** Ends the buffered code if the line has been quiet for the inter-byte timeout. */
  flush(nowMs: number): ScanEvent[] {
    const quiet = this.timeoutMs > 0 && this.lastByteAt !== undefined && nowMs - this.lastByteAt >= this.timeoutMs;
    return quiet && this.pending ? this.endFrame() : [];
  }

  /** Ends the buffered code unconditionally (the port is closing). */
  end(): ScanEvent[] {
    return this.pending ? this.endFrame() : [];
  }

  private take(byte: number, events: ScanEvent[]): void {
    const swallow = this.swallowLf && byte === LF;
    this.swallowLf = false;
    if (swallow) {
      return;
    }
    if (this.terminator === 'CRLF') {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte === LF) {
          events.push(...this.endFrame());
          return;
        }
        this.append(CR, events); // the CR was data after all
      }
      if (byte === CR) {
        this.pendingCr = true;
        return;
      }
    } else if (this.terminator !== 'none' && byte === TERMINATOR_BYTE[this.terminator]) {
      events.push(...this.endFrame());
      return;
    }
    this.append(byte, events);
  }

  private append(byte: number, events: ScanEvent[]): void {
    if (this.discarding) {
      return;
    }
    if (this.frame.length === this.maxLength) {
      events.push({ kind: 'overflow', maxLength: this.maxLength, raw: Buffer.from(this.frame) });
      this.frame = [];
      this.discarding = true;
      return;
    }
    this.frame.push(byte);
  }

  private endFrame(): ScanEvent[] {
    const bytes = Buffer.from(this.frame);
    const wasDiscarding = this.discarding;
    this.swallowLf = this.pendingCr;
    this.frame = [];
    this.discarding = false;
    this.pendingCr = false;
    if (wasDiscarding || bytes.length === 0) {
      return []; // the overflow was reported; empty lines are not codes
    }
    return [this.decode(bytes)];
  }

  private decode(raw: Buffer): ScanEvent {
    let body = raw;
    if (this.prefix.length > 0 && startsWith(body, this.prefix)) {
      body = body.subarray(this.prefix.length);
    }
    const symbology = parseAimIdentifier(body);
    if (symbology) {
      body = body.subarray(symbology.id.length);
    }
    if (this.suffix.length > 0 && endsWith(body, this.suffix)) {
      body = body.subarray(0, body.length - this.suffix.length);
    }
    if (body.length === 0) {
      return { kind: 'invalid', reason: 'empty', raw };
    }
    const utf8 = tryDecodeUtf8(body);
    // ICU's GBK maps unassigned bytes (a lone FF, …) into the Private Use Area; a scanned code
    // never holds such characters, so that is line noise or a wrong baud rate, not text.
    const gbk = utf8 === undefined ? tryDecodeGbk(body) : undefined;
    const text = utf8 ?? (gbk !== undefined && !/[\uE000-\uF8FF]/.test(gbk) ? gbk : undefined);
    if (text === undefined) {
      return { kind: 'invalid', reason: 'not-text', raw };
    }
    const encoding = utf8 === undefined ? 'gbk' : 'utf-8';
    return symbology ? { kind: 'scan', text, symbology, encoding, raw } : { kind: 'scan', text, encoding, raw };
  }
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

function endsWith(bytes: Buffer, suffix: Buffer): boolean {
  return bytes.length >= suffix.length && bytes.subarray(bytes.length - suffix.length).equals(suffix);
}

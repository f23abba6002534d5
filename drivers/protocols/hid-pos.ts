import { AimSymbology, parseAimIdentifier } from './aim-symbology';
import { tryDecodeGbk, tryDecodeUtf8 } from './gbk-codec';
import { ProtocolError } from './protocol-error';

/**
 * Barcode scanners in USB HID POS mode (HID usage page 0x8C "Bar Code Scanner", usage 0x02):
 * instead of typing keystrokes they send each decoded code in input reports of a fixed layout,
 * so nothing is lost to keyboard layouts and the symbology comes with the data. This file cuts
 * those reports back into codes. It is pure: reports and (optionally) the time come in, events
 * go out, nothing is read from the clock or the device.
 *
 * The scanned-data input report, as hidapi/node-hid deliver it on Linux (hidraw puts the report
 * ID first because the scanner's descriptor uses numbered reports), 64 bytes:
 *
 *   offset 0       report ID 0x02 (Scanned Data Report)
 *   offset 1       number of data bytes in this report, 0..56 (Generic Desktop 0x3B "Byte Count")
 *   offset 2..4    symbology identifiers 1..3 (usages 0x8C:0xFB..0xFD): the AIM identifier
 *                  `]` + code character + modifier (e.g. `]d2`), or 00 00 00 when disabled
 *   offset 5..60   decoded data (0x8C:0xFE): the first `count` bytes, the rest zero
 *   offset 61..62  vendor bytes (Honeywell puts its own one-byte code ID at 61)
 *   offset 63      bit 0 "decode data continued" (0x8C:0xFF): the code goes on in the next report
 *
 * A code longer than 56 bytes comes as several reports, each repeating the AIM identifier, all
 * but the last with the continuation bit set. Without the report ID (WebHID, some drivers) the
 * same layout starts at offset 0 with the byte count and is 63 bytes long.
 *
 * What this relies on (found with the search tool, not copied):
 * - A byte dump of a Honeywell Voyager 1602g answering REVINF in HID POS mode
 *   (github.com/HenkVanAsselt/python_hon_usbhid, README.md): 64-byte reports
 *   `02 38 5D 58 30 <56 bytes> 3F 00 01` … `02 09 5D 58 30 <9 bytes, zero padded> 3F 00 00`:
 *   report ID 2, byte count, AIM `]X0`, data, vendor byte, 00, continuation flag; every
 *   continuation report full, the last one zero padded.
 * - Itp.HidBarcodeScanner (HidScannerClaim.cs), reading the same report through the Windows HID
 *   parser: byte count = usage 0x01:0x3B, symbology = 0x8C:0xFB/0xFC/0xFD, data = 0x8C:0xFE,
 *   "decode data continued" = button 0x8C:0xFF; it appends `count` bytes per report and emits
 *   the code when the continuation usage is off.
 * - NielsLeenheer/WebHidBarcodeScanner (src/main.js), WebHID view without the report ID:
 *   length at 0, AIM at 1..3, data from 4, Honeywell code ID at 60, end flag at 62.
 * - USB-IF "HID Point of Sale Usage Tables" 1.02 (usage page 0x8C, usage names above).
 * Newland's FM430 documentation describes a different layout (data from offset 2, no AIM
 * bytes, Newland code ID at 62); scanners in that mode are not decoded here.
 *
 * How damage shows up, and what is done about it (never an invented code):
 * - Scanners zero-pad the unused data bytes (see the dump). A byte count that disagrees with
 *   the data (non-zero bytes after it, or zero bytes counted at its end) or exceeds the room in
 *   the report is `bad-length`; the whole code is dropped, including the rest of its reports.
 *   With `zeroPadded: false` only counts beyond the report are caught.
 * - A code whose continuation never comes (the next report carries another AIM identifier,
 *   the gap exceeds `continuationTimeoutMs`, or the device goes away) is `unfinished`.
 * - A code longer than `maxLength` is reported once as `overflow` and its tail is dropped.
 * - Reports with another report ID (status, attribute reports) are ignored.
 * - GS (0x1D, FNC1 in GS1 codes) and every other byte stay in the text; the AIM identifier is
 *   reported as `symbology`, never put into the text. Text is UTF-8, else GBK, as for serial
 *   scanners (scanner-framing.ts).
 */

export const HID_POS_USAGE_PAGE = 0x8c;
/** Usage 0x02 "Bar Code Scanner" on page 0x8C. */
export const HID_POS_USAGE_SCANNER = 0x02;
export const HID_POS_SCAN_REPORT_ID = 0x02;
/** The scanned-data report with its report ID. */
export const HID_POS_REPORT_SIZE = 64;
/** Data bytes one report carries. */
export const HID_POS_DATA_SIZE = 56;

/** Where the report ID is: 'auto' takes a 63-byte report as one without it, anything else as one with it. */
export type HidPosReportIdMode = 'auto' | 'included' | 'omitted';

export interface HidPosOptions {
  readonly reportId?: HidPosReportIdMode;
  /** Longest code in bytes, default 4096. */
  readonly maxLength?: number;
  /** A continued code whose next report takes longer than this is dropped; default 500 ms. */
  readonly continuationTimeoutMs?: number;
  /** The scanner zero-fills unused data bytes (default true): lets wrong byte counts be caught. */
  readonly zeroPadded?: boolean;
}

export type HidPosErrorReason = 'bad-length' | 'truncated' | 'unfinished' | 'overflow' | 'not-text' | 'empty';

export type HidPosEvent =
  | {
      readonly kind: 'scan';
      readonly text: string;
      readonly symbology?: AimSymbology;
      readonly encoding: 'utf-8' | 'gbk';
      /** The code's data bytes, all reports joined (AIM identifier not included). */
      readonly raw: Buffer;
      /** How many reports the code came in. */
      readonly reports: number;
    }
  | {
      readonly kind: 'error';
      readonly reason: HidPosErrorReason;
      /** Chinese, for the console. */
      readonly message: string;
      /** What was dropped: the code's bytes so far, or the offending report. */
      readonly raw: Buffer;
    };

export type HidPosErrorEvent = Extract<HidPosEvent, { kind: 'error' }>;

/** One scanned-data report, taken apart. */
export interface HidPosReport {
  readonly count: number;
  /** The three symbology identifier bytes. */
  readonly aim: Buffer;
  readonly data: Buffer;
  readonly continued: boolean;
  /** Bytes 61..62 (with report ID): vendor symbology bytes. */
  readonly vendor: Buffer;
}

export type ParsedHidPosReport =
  | { readonly kind: 'report'; readonly report: HidPosReport }
  | { readonly kind: 'ignored' }
  | {
      readonly kind: 'bad';
      readonly reason: 'bad-length' | 'truncated';
      readonly continued: boolean;
      readonly aim?: Buffer;
    };

const HEADER = 4; // count + 3 AIM bytes
const TRAILER = 3; // 2 vendor bytes + flags

const MESSAGES: Readonly<Record<Exclude<HidPosErrorReason, 'overflow'>, string>> = {
  'bad-length':
    '扫码枪发来的数据长度与内容不符（报文可能损坏），本次条码已丢弃：请重新扫码；反复出现请联系信息科检查扫码枪和数据线',
  truncated: '扫码枪发来的报文过短，无法解析：请重新扫码；反复出现请联系信息科确认扫码枪设置为 USB HID POS 模式',
  unfinished: '条码数据没有传输完整（后续报文未到达），已丢弃：请重新扫码',
  'not-text': '收到无法识别的扫码数据（不是文本），请重新扫码',
  empty: '没有读到条码内容：请对准条码重新扫描',
};

function error(reason: HidPosErrorReason, raw: Buffer, maxLength = 0): HidPosErrorEvent {
  const message =
    reason === 'overflow' ? `扫码内容过长（超过 ${maxLength} 字节），已丢弃，请重新扫码` : MESSAGES[reason];
  return { kind: 'error', reason, message, raw };
}

/** Takes one input report apart; never throws. */
export function parseHidPosReport(
  input: Uint8Array,
  options: Pick<HidPosOptions, 'reportId' | 'zeroPadded'> = {},
): ParsedHidPosReport {
  const report = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const mode = options.reportId ?? 'auto';
  const omitted = mode === 'omitted' || (mode === 'auto' && report.length === HID_POS_REPORT_SIZE - 1);
  if (!omitted && report[0] !== HID_POS_SCAN_REPORT_ID) {
    return { kind: 'ignored' };
  }
  const body = omitted ? report : report.subarray(1);
  if (body.length === 0) {
    return { kind: 'ignored' };
  }
  const continued = (body[body.length - 1] & 0x01) === 1;
  const capacity = body.length - HEADER - TRAILER;
  if (capacity < 1) {
    return { kind: 'bad', reason: 'truncated', continued };
  }
  const aim = Buffer.from(body.subarray(1, HEADER));
  const count = body[0];
  if (count > capacity) {
    return { kind: 'bad', reason: 'bad-length', continued, aim };
  }
  const data = Buffer.from(body.subarray(HEADER, HEADER + count));
  if (options.zeroPadded ?? true) {
    const padding = body.subarray(HEADER + count, HEADER + capacity);
    if (padding.some((b) => b !== 0) || (count > 0 && data[count - 1] === 0)) {
      return { kind: 'bad', reason: 'bad-length', continued, aim };
    }
  }
  const vendor = Buffer.from(body.subarray(HEADER + capacity, body.length - 1));
  return { kind: 'report', report: { count, aim, data, continued, vendor } };
}

/**
 * Joins the reports of each code and decodes it. Feed it every input report of the device, in
 * order; pass the time (any monotonic milliseconds) to have stalled codes dropped, and call
 * `flush(now)` from a timer while `pending`, `end()` when the device goes away.
 */
export class HidPosAssembler {
  private readonly maxLength: number;
  private readonly timeoutMs: number;
  private parts: Buffer[] = [];
  private size = 0;
  private reports = 0;
  private aim: Buffer | undefined;
  /** The rest of a dropped code is still coming: its reports are skipped up to the last one. */
  private discarding: { aim: Buffer | undefined } | undefined;
  private lastAt: number | undefined;

  constructor(private readonly options: HidPosOptions = {}) {
    this.maxLength = options.maxLength ?? 4096;
    this.timeoutMs = options.continuationTimeoutMs ?? 500;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 1) {
      throw new ProtocolError('HID_POS_BAD_OPTIONS', `扫码枪最大条码长度必须是正整数：${this.maxLength}`);
    }
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new ProtocolError('HID_POS_BAD_OPTIONS', `扫码枪续传超时必须是正数：${this.timeoutMs}`);
    }
  }

  /** `true` while part of a code is buffered or being skipped. */
  get pending(): boolean {
    return this.reports > 0 || this.discarding !== undefined;
  }

  /** The continuation timeout, for the caller's timer. */
  get continuationTimeoutMs(): number {
    return this.timeoutMs;
  }

  push(report: Uint8Array, nowMs?: number): HidPosEvent[] {
    const events = nowMs === undefined ? [] : this.flush(nowMs);
    const parsed = parseHidPosReport(report, this.options);
    if (parsed.kind === 'ignored') {
      return events;
    }
    if (nowMs !== undefined) {
      this.lastAt = nowMs;
    }
    if (parsed.kind === 'bad') {
      this.skipDamaged(parsed, Buffer.from(report), events);
      return events;
    }
    const { aim, data, continued } = parsed.report;
    if (this.discarding) {
      if (sameAim(this.discarding.aim, aim)) {
        this.discarding = continued ? this.discarding : undefined;
        return events;
      }
      this.discarding = undefined; // another symbology: a new code has begun
    }
    if (this.reports > 0 && !sameAim(this.aim, aim)) {
      events.push(this.drop('unfinished'));
    }
    this.aim = aim;
    this.reports += 1;
    if (this.size + data.length > this.maxLength) {
      const room = this.maxLength - this.size;
      this.parts.push(data.subarray(0, room));
      events.push(this.drop('overflow'));
      this.discarding = continued ? { aim } : undefined;
      return events;
    }
    this.parts.push(data);
    this.size += data.length;
    if (!continued) {
      events.push(this.complete());
    }
    return events;
  }

  /**
   * Drops a continued code whose next report is overdue. Its tail, should it still come within
   * one more timeout, is skipped too rather than taken for a code of its own.
   */
  flush(nowMs: number): HidPosEvent[] {
    const overdue = this.lastAt !== undefined && nowMs - this.lastAt >= this.timeoutMs;
    if (!overdue) {
      return [];
    }
    this.discarding = undefined;
    if (this.reports === 0) {
      return [];
    }
    const aim = this.aim;
    const event = this.drop('unfinished');
    this.discarding = { aim };
    this.lastAt = nowMs;
    return [event];
  }

  /** The device went away or is being closed: a code still waiting for reports is unfinished. */
  end(): HidPosEvent[] {
    this.discarding = undefined;
    this.lastAt = undefined;
    return this.reports > 0 ? [this.drop('unfinished')] : [];
  }

  private skipDamaged(
    parsed: Extract<ParsedHidPosReport, { kind: 'bad' }>,
    report: Buffer,
    events: HidPosEvent[],
  ): void {
    const pending = this.reports > 0 ? Buffer.concat(this.parts) : undefined;
    this.reset();
    if (this.discarding && parsed.aim !== undefined && sameAim(this.discarding.aim, parsed.aim)) {
      // Another damaged report of a code that is already being dropped: reported once.
      this.discarding = parsed.continued ? this.discarding : undefined;
      return;
    }
    events.push(error(parsed.reason, pending ?? report));
    this.discarding = parsed.continued ? { aim: parsed.aim } : undefined;
  }

  private complete(): HidPosEvent {
    const raw = Buffer.concat(this.parts);
    const aim = this.aim;
    const reports = this.reports;
    this.reset();
    if (raw.length === 0) {
      return error('empty', raw);
    }
    const utf8 = tryDecodeUtf8(raw);
    // As for serial scanners: GBK private-use characters mean noise, not text.
    const gbk = utf8 === undefined ? tryDecodeGbk(raw) : undefined;
    const text = utf8 ?? (gbk !== undefined && !/[\uE000-\uF8FF]/.test(gbk) ? gbk : undefined);
    if (text === undefined) {
      return error('not-text', raw);
    }
    const encoding = utf8 === undefined ? 'gbk' : 'utf-8';
    const symbology = aim === undefined ? undefined : parseAimIdentifier(aim);
    return symbology
      ? { kind: 'scan', text, symbology, encoding, raw, reports }
      : { kind: 'scan', text, encoding, raw, reports };
  }

  private drop(reason: 'unfinished' | 'overflow'): HidPosErrorEvent {
    const raw = Buffer.concat(this.parts);
    this.reset();
    return error(reason, raw, this.maxLength);
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
    this.reports = 0;
    this.aim = undefined;
  }
}

function sameAim(a: Buffer | undefined, b: Buffer): boolean {
  return a !== undefined && a.equals(b);
}

export interface HidPosEncodeOptions {
  /** AIM identifier, e.g. "]d2"; absent: 00 00 00 (identifiers disabled). */
  readonly aim?: string;
  /** Put the report ID first, as hidraw delivers it (default true). */
  readonly reportId?: boolean;
  /** Vendor symbology byte (offset 61 with report ID), e.g. Honeywell's code ID; default 0. */
  readonly vendorSymbology?: number;
}

/**
 * The reports a scanner sends for `data`: 56 bytes per report, the AIM identifier repeated in
 * each, the continuation bit on all but the last, unused data bytes zero. For simulators and
 * tests; empty data gives one report with a zero count.
 */
export function encodeHidPosReports(data: Uint8Array, options: HidPosEncodeOptions = {}): Buffer[] {
  const aim = Buffer.alloc(3);
  if (options.aim !== undefined) {
    const id = Buffer.from(options.aim, 'latin1');
    if (id.length !== 3) {
      throw new ProtocolError('HID_POS_BAD_AIM', `AIM 标识必须是 3 个字符：${options.aim}`);
    }
    id.copy(aim);
  }
  const withId = options.reportId ?? true;
  const offset = withId ? 1 : 0;
  const reports: Buffer[] = [];
  for (let at = 0; at === 0 || at < data.length; at += HID_POS_DATA_SIZE) {
    const chunk = data.subarray(at, at + HID_POS_DATA_SIZE);
    const report = Buffer.alloc(HID_POS_REPORT_SIZE - 1 + offset);
    if (withId) {
      report[0] = HID_POS_SCAN_REPORT_ID;
    }
    report[offset] = chunk.length;
    aim.copy(report, offset + 1);
    Buffer.from(chunk).copy(report, offset + HEADER);
    report[offset + HEADER + HID_POS_DATA_SIZE] = options.vendorSymbology ?? 0;
    report[report.length - 1] = at + HID_POS_DATA_SIZE < data.length ? 0x01 : 0x00;
    reports.push(report);
  }
  return reports;
}

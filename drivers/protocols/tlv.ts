import { ProtocolError } from './protocol-error';

/**
 * SIMPLE-TLV (ISO/IEC 7816-4 5.2.1), the record format of the social-security card's EF05 and
 * EF06: one tag byte (01–FE), then the length — one byte 00–FE, or FF followed by two bytes —
 * then exactly that many value bytes.
 *
 * The parser is strict on purpose: a record that is one byte short or has a stray byte after
 * it is a transmission fault or a wrong card, and silently taking a shorter name or ID number
 * is worse than refusing the read. Non-minimal lengths (FF 00 12 for 0x12) are refused too, so
 * that each list of elements has exactly one encoding and round-trips are exact.
 */

export interface TlvElement {
  readonly tag: number;
  readonly value: Buffer;
}

export type TlvErrorReason = 'EMPTY' | 'BAD_TAG' | 'TRUNCATED_LENGTH' | 'TRUNCATED_VALUE' | 'NON_MINIMAL_LENGTH';

export class TlvError extends ProtocolError {
  constructor(
    readonly reason: TlvErrorReason,
    message: string,
    readonly offset: number,
  ) {
    super(`TLV_${reason}`, message, { offset });
  }
}

function tagIsValid(tag: number): boolean {
  return tag !== 0x00 && tag !== 0xff;
}

/** Parses a whole buffer as a sequence of SIMPLE-TLV elements; any leftover byte is an error. */
export function parseTlv(bytes: Uint8Array): TlvElement[] {
  if (bytes.length === 0) {
    throw new TlvError('EMPTY', 'TLV数据为空', 0);
  }
  const out: TlvElement[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const tag = bytes[at++];
    if (!tagIsValid(tag)) {
      throw new TlvError('BAD_TAG', `第${start}字节的TLV标签${hex(tag)}无效（00和FF不能作标签）`, start);
    }
    if (at >= bytes.length) {
      throw new TlvError('TRUNCATED_LENGTH', `标签${hex(tag)}后缺少长度字节`, at);
    }
    let length = bytes[at++];
    if (length === 0xff) {
      if (at + 2 > bytes.length) {
        throw new TlvError('TRUNCATED_LENGTH', `标签${hex(tag)}的三字节长度不完整`, at);
      }
      length = (bytes[at] << 8) | bytes[at + 1];
      if (length < 0xff) {
        throw new TlvError('NON_MINIMAL_LENGTH', `标签${hex(tag)}的长度${length}应使用单字节表示`, at);
      }
      at += 2;
    }
    if (at + length > bytes.length) {
      throw new TlvError(
        'TRUNCATED_VALUE',
        `标签${hex(tag)}声明长度${length}字节，实际只有${bytes.length - at}字节`,
        at,
      );
    }
    out.push({ tag, value: Buffer.from(bytes.subarray(at, at + length)) });
    at += length;
  }
  return out;
}

/** Encodes elements as SIMPLE-TLV with minimal lengths (the inverse of `parseTlv`). */
export function encodeTlv(elements: readonly TlvElement[]): Buffer {
  const parts: Buffer[] = [];
  for (const { tag, value } of elements) {
    if (!Number.isInteger(tag) || tag < 0 || tag > 0xff || !tagIsValid(tag)) {
      throw new TlvError('BAD_TAG', `TLV标签${tag}无效`, 0);
    }
    if (value.length > 0xffff) {
      throw new ProtocolError('TLV_VALUE_TOO_LONG', `标签${hex(tag)}的值超过65535字节`, { length: value.length });
    }
    const header =
      value.length < 0xff
        ? Buffer.from([tag, value.length])
        : Buffer.from([tag, 0xff, value.length >> 8, value.length & 0xff]);
    parts.push(header, value);
  }
  return Buffer.concat(parts);
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

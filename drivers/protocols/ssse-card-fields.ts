import { BcdError, decodeBcdDate, decodeBcdDigits, encodeBcdDate, encodeBcdDigits } from './bcd';
import { CardDataError } from './card-errors';
import { encodeGbk, tryDecodeGbk } from './gbk-codec';
import { EF05, EF06 } from './ssse-card-apdus';

/**
 * The data items of EF05 and EF06 and how their bytes are read and written. One table serves
 * the reader and the card-image builder, so the two cannot drift apart.
 *
 * Kinds (the card specification's data types):
 * - `hex`: binary ("b"), shown as upper-case hex, exact length. 卡识别码 is 16 binary bytes,
 *   shown by the ministry's DLL as 32 hex characters, e.g. 640100D15600000500BF7C7A48FB4966:
 *   3 bytes region code, the 5-byte RID D156000005 of the ministry, 8 bytes per card. The
 *   bytes D1 56 are not ASCII, so reading it as printable text would be wrong on real cards;
 *   the region is therefore the first 6 *hex* characters.
 * - `ascii`: "an", printable ASCII, right-padded (00, 20 or FF seen) up to the length.
 * - `gbk`: "an" holding Chinese, GBK, right-padded with 00 (or 20) up to the length.
 * - `digits`: "cn", packed BCD right-padded with F (民族: 2 digits, 出生地: 6 digits).
 * - `date`: "cn" yyyyMMdd in 4 bytes.
 */

export type FieldKind = 'hex' | 'ascii' | 'gbk' | 'digits' | 'date';

export interface SsseField {
  readonly tag: number;
  readonly file: typeof EF05 | typeof EF06;
  readonly label: string;
  readonly length: number;
  readonly kind: FieldKind;
}

function field(
  tag: number,
  file: typeof EF05 | typeof EF06,
  label: string,
  length: number,
  kind: FieldKind,
): SsseField {
  return { tag, file, label, length, kind };
}

export const FIELDS = {
  cardSn: field(0x01, EF05, '卡识别码', 16, 'hex'),
  cardType: field(0x02, EF05, '卡类别', 1, 'ascii'),
  specVersion: field(0x03, EF05, '规范版本', 4, 'ascii'),
  issuer: field(0x04, EF05, '初始化机构编号', 12, 'hex'),
  issueDate: field(0x05, EF05, '发卡日期', 4, 'date'),
  validUntil: field(0x06, EF05, '卡有效期', 4, 'date'),
  cardNo: field(0x07, EF05, '卡号', 9, 'ascii'),
  ssn: field(0x08, EF06, '社会保障号码', 18, 'ascii'),
  name: field(0x09, EF06, '姓名', 30, 'gbk'),
  nameExtension: field(0x4e, EF06, '姓名扩展', 20, 'gbk'),
  sex: field(0x0a, EF06, '性别', 1, 'ascii'),
  nation: field(0x0b, EF06, '民族', 1, 'digits'),
  birthPlace: field(0x0c, EF06, '出生地', 3, 'digits'),
  birthDate: field(0x0d, EF06, '出生日期', 4, 'date'),
} as const;

export type FieldName = keyof typeof FIELDS;

/** Fixed-size kinds must have exactly their length; padded text may come shorter. */
function lengthIsValid(f: SsseField, value: Buffer): boolean {
  return f.kind === 'ascii' || f.kind === 'gbk' ? value.length <= f.length : value.length === f.length;
}

/** Right padding seen on cards: NUL, space and FF. None of them is ever a GBK trail byte. */
export function stripPadding(value: Buffer): Buffer {
  let end = value.length;
  while (end > 0 && (value[end - 1] === 0x00 || value[end - 1] === 0x20 || value[end - 1] === 0xff)) {
    end--;
  }
  return value.subarray(0, end);
}

/** Decodes a field's value bytes (the V of its TLV), or throws `CardDataError`. */
export function decodeField(f: SsseField, value: Buffer): string {
  if (!lengthIsValid(f, value)) {
    throw new CardDataError(f.label, f.tag, `长度应为${f.length}字节，实际${value.length}字节`);
  }
  switch (f.kind) {
    case 'hex':
      return value.toString('hex').toUpperCase();
    case 'ascii': {
      const text = stripPadding(value);
      if (text.some((b) => b < 0x20 || b > 0x7e)) {
        throw new CardDataError(f.label, f.tag, '含有非ASCII可打印字符');
      }
      return text.toString('latin1').trim();
    }
    case 'gbk': {
      const text = tryDecodeGbk(stripPadding(value));
      if (text === undefined) {
        throw new CardDataError(f.label, f.tag, '不是有效的GBK文本');
      }
      return text.trim();
    }
    case 'digits':
    case 'date':
      try {
        return f.kind === 'date' ? decodeBcdDate(value) : decodeBcdDigits(value, { allowPadding: true });
      } catch (err) {
        if (err instanceof BcdError) {
          throw new CardDataError(f.label, f.tag, err.message, err);
        }
        throw err;
      }
  }
}

/** Encodes a field's value bytes for a card image; padding as real cards write it. */
export function encodeField(f: SsseField, text: string): Buffer {
  switch (f.kind) {
    case 'hex': {
      if (!/^([0-9A-Fa-f]{2})*$/.test(text) || text.length !== f.length * 2) {
        throw new CardDataError(f.label, f.tag, `应为${f.length * 2}位十六进制`);
      }
      return Buffer.from(text, 'hex');
    }
    case 'ascii': {
      if (!/^[\x20-\x7e]*$/.test(text) || text.length > f.length) {
        throw new CardDataError(f.label, f.tag, `应为不超过${f.length}个ASCII可打印字符`);
      }
      return Buffer.from(text.padEnd(f.length, ' '), 'latin1');
    }
    case 'gbk':
      return padGbk(f, encodeGbk(text));
    case 'digits':
      try {
        return encodeBcdDigits(text, f.length);
      } catch (err) {
        throw new CardDataError(f.label, f.tag, `「${text}」不能编码为${f.length}字节BCD`, err);
      }
    case 'date':
      try {
        return encodeBcdDate(text);
      } catch (err) {
        throw new CardDataError(f.label, f.tag, `「${text}」不是有效日期`, err);
      }
  }
}

/** Right-pads GBK bytes with NUL to the field length, as card personalisation does. */
export function padGbk(f: SsseField, bytes: Buffer): Buffer {
  if (bytes.length > f.length) {
    throw new CardDataError(f.label, f.tag, `GBK编码后${bytes.length}字节，超过${f.length}字节`);
  }
  return Buffer.concat([bytes, Buffer.alloc(f.length - bytes.length)]);
}

/** The record a READ RECORD must fetch for a field: tag + length + value. */
export function recordLe(f: SsseField): number {
  return f.length + 2;
}

import { isValidDate } from './dates';
import { ProtocolError } from './protocol-error';

/**
 * Packed BCD ("cn", compressed numeric, in the card specification): two decimal digits per
 * byte, high nibble first, right-padded with F when the number of digits is odd or shorter
 * than the field. Dates are 4 bytes, yyyyMMdd.
 */

export type BcdErrorReason = 'NOT_BCD' | 'BAD_LENGTH' | 'IMPOSSIBLE_DATE';

export class BcdError extends ProtocolError {
  constructor(
    readonly reason: BcdErrorReason,
    message: string,
    details: Readonly<Record<string, string | number>>,
  ) {
    super(`BCD_${reason}`, message, details);
  }
}

/**
 * Decodes packed BCD digits. With `allowPadding`, trailing F nibbles are padding and are
 * dropped; an F anywhere else (or any nibble A–E) is an error.
 */
export function decodeBcdDigits(bytes: Uint8Array, options: { allowPadding?: boolean } = {}): string {
  const nibbles = Buffer.from(bytes).toString('hex').toUpperCase();
  const digits = options.allowPadding ? nibbles.replace(/F+$/, '') : nibbles;
  const bad = /[^0-9]/.exec(digits);
  if (bad) {
    throw new BcdError('NOT_BCD', `BCD数据${nibbles}第${bad.index + 1}位「${bad[0]}」不是十进制数字`, {
      hex: nibbles,
      nibble: bad.index,
    });
  }
  return digits;
}

/** Encodes decimal digits into `bytes` bytes of packed BCD, right-padded with F. */
export function encodeBcdDigits(digits: string, bytes: number): Buffer {
  if (!/^[0-9]*$/.test(digits) || digits.length > bytes * 2) {
    throw new BcdError('NOT_BCD', `「${digits}」无法编码为${bytes}字节BCD`, { digits, bytes });
  }
  return Buffer.from(digits.padEnd(bytes * 2, 'F'), 'hex');
}

/** Decodes a 4-byte BCD date (yyyyMMdd) into 'YYYY-MM-DD', refusing impossible dates. */
export function decodeBcdDate(bytes: Uint8Array): string {
  if (bytes.length !== 4) {
    throw new BcdError('BAD_LENGTH', `BCD日期应为4字节，实际${bytes.length}字节`, { length: bytes.length });
  }
  const digits = decodeBcdDigits(bytes);
  const iso = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
  if (!isCalendarDate(iso)) {
    throw new BcdError('IMPOSSIBLE_DATE', `BCD日期${digits}不是有效日期`, { digits });
  }
  return iso;
}

/** Encodes 'YYYY-MM-DD' (or 'YYYYMMDD') as a 4-byte BCD date. */
export function encodeBcdDate(date: string): Buffer {
  const iso = /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}` : date;
  if (!isCalendarDate(iso)) {
    throw new BcdError('IMPOSSIBLE_DATE', `「${date}」不是有效日期`, { date });
  }
  return encodeBcdDigits(iso.replace(/-/g, ''), 4);
}

/** 'YYYY-MM-DD' that names a real day of the Gregorian calendar (year 0001 or later). */
export function isCalendarDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m !== null && Number(m[1]) >= 1 && isValidDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

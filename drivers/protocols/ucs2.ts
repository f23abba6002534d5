import { ProtocolError } from './protocol-error';

/**
 * Fixed-width UCS-2LE text fields, as the resident ID card stores them: every field has a
 * fixed number of 2-byte characters and is padded on the right with spaces (U+0020).
 *
 * UCS-2 is not UTF-16: a character outside the Basic Multilingual Plane cannot be stored, so
 * encoding refuses surrogates instead of silently writing a pair that would take two slots.
 */

const SPACE = 0x0020;

/** Decodes `chars` characters of UCS-2LE at `offset` and drops the right padding. */
export function readUcs2Field(buf: Buffer, offset: number, chars: number): string {
  const raw = buf.toString('utf16le', offset, offset + chars * 2);
  // Readers have been seen padding with NUL as well as with spaces; both are padding.
  let end = raw.length;
  while (end > 0 && (raw.charCodeAt(end - 1) === SPACE || raw.charCodeAt(end - 1) === 0)) {
    end--;
  }
  return raw.slice(0, end);
}

/** Encodes `value` into exactly `chars` UCS-2LE characters, right-padded with spaces. */
export function writeUcs2Field(value: string, chars: number, field: string): Buffer {
  // Without the u flag the class matches every surrogate code unit, paired or not.
  if (/[\uD800-\uDFFF]/.test(value)) {
    throw new ProtocolError('TEXT_NOT_UCS2', `字段「${field}」含有UCS-2无法表示的字符`, { field });
  }
  if (value.length > chars) {
    throw new ProtocolError('TEXT_FIELD_TOO_LONG', `字段「${field}」超过${chars}个字符`, {
      field,
      chars,
      length: value.length,
    });
  }
  const out = Buffer.alloc(chars * 2);
  out.write(value, 0, 'utf16le');
  for (let i = value.length; i < chars; i++) {
    out.writeUInt16LE(SPACE, i * 2);
  }
  return out;
}

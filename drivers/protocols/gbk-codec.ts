import { ProtocolError } from './protocol-error';

/**
 * GBK text, as social-security cards store names and as some Chinese scanners send codes.
 *
 * Decoding uses the platform's WHATWG decoder (Node 20 ships full ICU). There is no GBK
 * *encoder* in the platform, and only simulators and tests need one, so the reverse table is
 * built from the decoder itself: every double-byte pair decodes to exactly one character, and
 * the pair is remembered for it. It is built lazily, once (~24 000 pairs, a few ms).
 */

const lenient = new TextDecoder('gbk');
const strict = new TextDecoder('gbk', { fatal: true });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

let reverse: Map<string, number> | undefined;

function reverseTable(): Map<string, number> {
  if (reverse) {
    return reverse;
  }
  const table = new Map<string, number>();
  const pair = Buffer.alloc(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) {
        continue; // never a trail byte in GBK
      }
      pair[0] = lead;
      pair[1] = trail;
      const char = lenient.decode(pair);
      if (char.length === 1 && char !== '\uFFFD' && !table.has(char)) {
        table.set(char, (lead << 8) | trail);
      }
    }
  }
  reverse = table;
  return table;
}

/** Decodes GBK; malformed bytes become U+FFFD. */
export function decodeGbk(bytes: Uint8Array): string {
  return lenient.decode(bytes);
}

/** Decodes GBK, or returns `undefined` when the bytes are not valid GBK. */
export function tryDecodeGbk(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Decodes UTF-8, or returns `undefined` when the bytes are not valid UTF-8. */
export function tryDecodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Encodes `text` as GBK (ASCII as one byte, everything else as a double-byte pair). A
 * character GBK cannot hold is refused rather than replaced: a simulator must not write a
 * name onto a card that a real card could not carry.
 */
export function encodeGbk(text: string): Buffer {
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) {
      out.push(code);
      continue;
    }
    const pair = reverseTable().get(char);
    if (pair === undefined) {
      throw new ProtocolError('GBK_UNENCODABLE', `字符「${char}」无法用GBK编码`, {
        codePoint: `U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
      });
    }
    out.push(pair >> 8, pair & 0xff);
  }
  return Buffer.from(out);
}

import { HEADER_LENGTH, MIN_LENGTH_FIELD, PREAMBLE, hasPreambleAt, xorChecksum } from './id-card-codec';

/**
 * Incremental parser for the ID-card reader's serial stream. Serial ports deliver bytes in
 * chunks of any size, readers sometimes emit noise when a card is pulled, and a byte can be
 * corrupted on the line; the parser turns all of that into events and never throws.
 *
 * Recovery rule: when a candidate frame fails (impossible length, wrong checksum, or cut off at
 * flush), only its preamble is skipped and the bytes after it are scanned again. A corrupted
 * length field can make a candidate swallow the frames behind it; rescanning finds them, so a
 * real frame is never lost. The preamble has no self-overlap (it ends in 69, which is not a
 * first byte), so no real preamble can start inside a skipped one.
 *
 * Diagnostic events (bad-checksum, bad-length, truncated) show the candidate's bytes for logs;
 * because those bytes are rescanned, the same bytes may also appear in a later garbage event.
 */
export type ParsedEvent =
  /** A complete frame with a correct checksum, preamble to checksum inclusive. */
  | { kind: 'frame'; frame: Buffer }
  /** Bytes that are not part of any frame (noise before a preamble, leftovers of a bad frame). */
  | { kind: 'garbage'; bytes: Buffer }
  /** A complete candidate frame whose checksum does not match. */
  | { kind: 'bad-checksum'; frame: Buffer; expected: number; actual: number }
  /** A length field that no frame can have: below 3, or larger than the configured maximum. */
  | { kind: 'bad-length'; length: number; maxLength: number; header: Buffer }
  /** Only from flush(): a frame that had started but did not complete. */
  | { kind: 'truncated'; bytes: Buffer; expectedBytes: number };

export interface IdCardFrameParserOptions {
  /**
   * Largest whole frame accepted, preamble to checksum. The read reply with fingerprints is
   * 2,321 bytes, so the default 4096 leaves room while keeping a corrupted length (up to
   * 65,542) from making the parser hold on to a long stretch of the stream.
   */
  maxFrameSize?: number;
}

export const DEFAULT_MAX_FRAME_SIZE = 4096;

export class IdCardFrameParser {
  private buffer: Buffer = Buffer.alloc(0);
  readonly maxFrameSize: number;

  constructor(options: IdCardFrameParserOptions = {}) {
    const max = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    if (!Number.isInteger(max) || max < HEADER_LENGTH + MIN_LENGTH_FIELD) {
      throw new RangeError(`maxFrameSize must be an integer of at least ${HEADER_LENGTH + MIN_LENGTH_FIELD}`);
    }
    this.maxFrameSize = max;
  }

  /** Bytes held back waiting for the rest of a frame; never more than maxFrameSize. */
  get bufferedBytes(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): ParsedEvent[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const events: ParsedEvent[] = [];
    this.drain(events);
    return events;
  }

  /**
   * Declares the end of the stream (or a timeout: nothing more is coming for now). A frame cut
   * off becomes a truncated event, the bytes behind its preamble are rescanned, and whatever
   * is left is garbage; afterwards the parser is empty.
   */
  flush(): ParsedEvent[] {
    const events: ParsedEvent[] = [];
    this.drain(events);
    while (this.buffer.length > 0) {
      if (this.buffer.length >= PREAMBLE.length && hasPreambleAt(this.buffer, 0)) {
        const expectedBytes =
          this.buffer.length >= HEADER_LENGTH
            ? HEADER_LENGTH + this.buffer.readUInt16BE(PREAMBLE.length)
            : HEADER_LENGTH;
        events.push({ kind: 'truncated', bytes: copy(this.buffer), expectedBytes });
        this.buffer = this.buffer.subarray(PREAMBLE.length);
        this.drain(events);
      } else {
        // Only a partial preamble can be left at this point.
        events.push({ kind: 'garbage', bytes: copy(this.buffer) });
        this.buffer = Buffer.alloc(0);
      }
    }
    return events;
  }

  /** Drops everything held back, without events (e.g. after the port was reopened). */
  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  private drain(events: ParsedEvent[]): void {
    const maxLength = this.maxFrameSize - HEADER_LENGTH;
    for (;;) {
      const start = this.buffer.indexOf(PREAMBLE);
      if (start < 0) {
        // Keep a tail that may be the beginning of a preamble completed by the next chunk.
        const keep = partialPreambleSuffix(this.buffer);
        this.emitGarbage(events, this.buffer.length - keep);
        break;
      }
      this.emitGarbage(events, start);
      if (this.buffer.length < HEADER_LENGTH) {
        break;
      }
      const length = this.buffer.readUInt16BE(PREAMBLE.length);
      if (length < MIN_LENGTH_FIELD || length > maxLength) {
        events.push({ kind: 'bad-length', length, maxLength, header: copy(this.buffer.subarray(0, HEADER_LENGTH)) });
        this.buffer = this.buffer.subarray(PREAMBLE.length);
        continue;
      }
      const total = HEADER_LENGTH + length;
      if (this.buffer.length < total) {
        break;
      }
      const expected = xorChecksum(this.buffer, PREAMBLE.length, total - 1);
      const actual = this.buffer[total - 1];
      const frame = copy(this.buffer.subarray(0, total));
      if (expected === actual) {
        events.push({ kind: 'frame', frame });
        this.buffer = this.buffer.subarray(total);
      } else {
        events.push({ kind: 'bad-checksum', frame, expected, actual });
        this.buffer = this.buffer.subarray(PREAMBLE.length);
      }
    }
    // Copy what is held back so it does not pin a large chunk the caller handed us.
    this.buffer = copy(this.buffer);
  }

  private emitGarbage(events: ParsedEvent[], count: number): void {
    if (count > 0) {
      events.push({ kind: 'garbage', bytes: copy(this.buffer.subarray(0, count)) });
      this.buffer = this.buffer.subarray(count);
    }
  }
}

/** Length of the longest tail of `bytes` that is a proper prefix of the preamble. */
function partialPreambleSuffix(bytes: Buffer): number {
  for (let k = Math.min(PREAMBLE.length - 1, bytes.length); k > 0; k--) {
    let match = true;
    for (let i = 0; i < k; i++) {
      if (bytes[bytes.length - k + i] !== PREAMBLE[i]) {
        match = false;
        break;
      }
    }
    if (match) {
      return k;
    }
  }
  return 0;
}

function copy(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

import fc from 'fast-check';
import {
  buildFindReply,
  buildIdCardText,
  buildReadReply,
  buildSamStatusReply,
  buildSelectReply,
  buildStatusReply,
  commands,
  decodeCommand,
  decodeReadReply,
  decodeReply,
  encodeCommand,
  encodeFrame,
  encodeReply,
  ID_CARD_PHOTO_LENGTH,
  ID_CARD_TEXT_LENGTH,
  IdCardFrameParser,
  LONG_TERM,
  NATIONS,
  parseIdCardText,
  PREAMBLE,
  ProtocolError,
  samStatus,
  splitReadData,
  SW3,
  type IdCardIdentity,
  type IdCardTextFields,
  type ParsedEvent,
} from './id-card-frame';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

/** An independent checksum for the tests: XOR of everything between preamble and checksum. */
function referenceChecksum(frame: Buffer): number {
  return frame.subarray(5, frame.length - 1).reduce((x, b) => x ^ b, 0);
}

function thrown(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected a ProtocolError');
}

const SAMPLE: IdCardTextFields = {
  name: '马小花',
  sexCode: '2',
  nationCode: '03',
  birthDate: '1985-07-09',
  address: '宁夏银川市兴庆区解放西街1号',
  idNumber: '640104198507090022',
  issuingAuthority: '银川市公安局兴庆区分局',
  validFrom: '2015-03-01',
  validTo: '2035-03-01',
};
const PHOTO = Buffer.from(Array.from({ length: ID_CARD_PHOTO_LENGTH }, (_, i) => (i * 7 + 0x57) & 0xff));

describe('frame vectors written out by hand', () => {
  // Checksums worked by hand: 00^03^20^01 = 22, 00^03^20^02 = 21, 00^03^30^01 = 32, 00^03^11^FF = ED.
  it.each([
    ['findCard', commands.findCard, 'AA AA AA 96 69 00 03 20 01 22'],
    ['selectCard', commands.selectCard, 'AA AA AA 96 69 00 03 20 02 21'],
    ['readTextAndPhoto', commands.readTextAndPhoto, 'AA AA AA 96 69 00 03 30 01 32'],
    ['samStatus', commands.samStatus, 'AA AA AA 96 69 00 03 11 FF ED'],
  ])('encodes %s', (_name, c, bytes) => {
    expect(toHex(encodeCommand(c.cmd, c.para))).toBe(toHex(hex(bytes)));
    expect(decodeCommand(hex(bytes))).toEqual({ cmd: c.cmd, para: c.para, data: Buffer.alloc(0) });
  });

  it('encodes a command with data: len counts CMD PARA data checksum', () => {
    // 00^05^12^34^56^78 = 0x05 ^ 0x12 ^ 0x34 ^ 0x56 ^ 0x78 = 0x0D
    expect(toHex(encodeCommand(0x12, 0x34, Buffer.of(0x56, 0x78)))).toBe('AAAAAA96690005123456780D');
  });

  it.each([
    // 00^08^00^00^9F^00^00^00^00 = 97
    ['find ok', buildFindReply(true), 'AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97', 0x9f, 4],
    // 00^0C^00^00^90 = 9C
    ['select ok', buildSelectReply(true), 'AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C', 0x90, 8],
    ['no card', buildFindReply(false), 'AA AA AA 96 69 00 04 00 00 80 84', 0x80, 0],
    ['select failed', buildSelectReply(false), 'AA AA AA 96 69 00 04 00 00 81 85', 0x81, 0],
    ['SAM ok', buildSamStatusReply(), 'AA AA AA 96 69 00 04 00 00 90 94', 0x90, 0],
    ['read failed', buildStatusReply(SW3.READ_FAILED), 'AA AA AA 96 69 00 04 00 00 41 45', 0x41, 0],
  ])('reader reply: %s', (_name, built, bytes, sw3, dataLength) => {
    expect(toHex(built)).toBe(toHex(hex(bytes)));
    const reply = decodeReply(hex(bytes));
    expect(reply).toEqual({ sw1: 0, sw2: 0, sw3, data: Buffer.alloc(dataLength) });
  });

  it('builds the 1,295-byte read reply a reader sends', () => {
    const frame = buildReadReply(SAMPLE, PHOTO);
    expect(frame.length).toBe(1295);
    // preamble, len 0x0508 = 3 + 4 + 256 + 1024 + 1, SW 00 00 90, text len 0x0100, photo len 0x0400
    expect(toHex(frame.subarray(0, 14))).toBe('AAAAAA96690508000090010004 00'.replace(/ /g, ''));
    // 马 U+9A6C, 小 U+5C0F, 花 U+82B1 in UCS-2LE, then 12 padding spaces
    expect(toHex(frame.subarray(14, 20))).toBe('6C9A0F5CB182');
    expect(toHex(frame.subarray(20, 44))).toBe('2000'.repeat(12));
    // sex '2', nation '0' '3'
    expect(toHex(frame.subarray(44, 50))).toBe('320030003300');
    expect(frame[frame.length - 1]).toBe(referenceChecksum(frame));
    expect(frame.subarray(14 + 256, frame.length - 1)).toEqual(PHOTO);

    const { identity, photo } = decodeReadReply(frame);
    expect(identity).toEqual({ ...SAMPLE, sex: '女', nation: '回' });
    expect(photo).toEqual(PHOTO);
  });
});

describe('decoding complete frames', () => {
  it('refuses a wrong checksum, a wrong length and a missing preamble', () => {
    const good = hex('AA AA AA 96 69 00 04 00 00 90 94');
    const badSum = Buffer.from(good);
    badSum[10] = 0x95;
    expect(thrown(() => decodeReply(badSum))).toMatchObject({
      code: 'FRAME_CHECKSUM',
      details: { expected: 0x94, actual: 0x95 },
    });
    expect(thrown(() => decodeReply(hex('AA AA AA 96 69 00 05 00 00 90 95'))).code).toBe('FRAME_LENGTH');
    expect(thrown(() => decodeReply(hex('AA AA AA 96 68 00 04 00 00 90 94'))).code).toBe('FRAME_MALFORMED');
    // len 3 is a legal command frame but too short for a reply (no SW3)
    expect(thrown(() => decodeReply(hex('AA AA AA 96 69 00 03 20 01 22'))).code).toBe('FRAME_MALFORMED');
    expect(thrown(() => decodeReply(badSum)).message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('refuses values that are not bytes and bodies too long for a 16-bit length', () => {
    expect(() => encodeCommand(0x100, 0)).toThrow(RangeError);
    expect(() => encodeReply(0, -1, 0x90)).toThrow(RangeError);
    expect(() => encodeFrame(Buffer.alloc(0xffff))).toThrow(RangeError);
    expect(encodeFrame(Buffer.alloc(0xfffe)).readUInt16BE(5)).toBe(0xffff);
  });

  it('turns a non-success read status into the status code and desk message', () => {
    const err = thrown(() => decodeReadReply(buildStatusReply(SW3.READ_FAILED)));
    expect(err.code).toBe('READ_FAILED');
    expect(err.message).toContain('重新读卡');
  });

  it('checks the declared text and photo lengths of the read data', () => {
    const data = decodeReply(buildReadReply(SAMPLE, PHOTO)).data;
    expect(splitReadData(data).text.length).toBe(ID_CARD_TEXT_LENGTH);
    expect(thrown(() => splitReadData(data.subarray(0, 1000))).code).toBe('READ_DATA_LENGTH');
    expect(thrown(() => splitReadData(data.subarray(0, 3))).code).toBe('READ_DATA_LENGTH');
    expect(() => buildReadReply(SAMPLE, Buffer.alloc(100))).toThrow(RangeError);
  });
});

describe('SAM status bytes', () => {
  it('has a code and a Chinese message for every documented SW3, and copes with unknown ones', () => {
    for (const [code, sw3] of Object.entries(SW3)) {
      const status = samStatus(sw3);
      expect(status.code).toBe(code);
      expect(status.message).toMatch(/[\u4e00-\u9fff]/);
      expect(status.ok).toBe(sw3 === 0x90 || sw3 === 0x9f);
    }
    expect(samStatus(0x80)).toMatchObject({ code: 'NO_CARD', ok: false });
    expect(samStatus(0x66).code).toBe('SAM_NOT_AUTHORISED');
    expect(samStatus(0x55)).toMatchObject({ code: 'UNKNOWN_STATUS', ok: false });
    expect(samStatus(0x55).message).toContain('0x55');
  });
});

describe('text block', () => {
  it('parses the fields, trims padding and maps codes', () => {
    const identity = parseIdCardText(buildIdCardText(SAMPLE));
    expect(identity).toEqual<IdCardIdentity>({ ...SAMPLE, sex: '女', nation: '回' });
  });

  it('reads 长期 validity, unknown nation codes, and NUL padding', () => {
    const text = buildIdCardText({ ...SAMPLE, validTo: LONG_TERM, nationCode: '77', sexCode: '1' });
    const nulPadded = Buffer.from(text);
    nulPadded.fill(0, 6, 30); // name field after 马小花: NULs instead of spaces
    const identity = parseIdCardText(nulPadded);
    expect(identity).toMatchObject({ name: '马小花', validTo: '长期', nationCode: '77', nation: null, sex: '男' });
  });

  it('refuses a text of the wrong length, bad dates, bad sex codes and other card types', () => {
    const text = buildIdCardText(SAMPLE);
    expect(thrown(() => parseIdCardText(text.subarray(0, 255)))).toMatchObject({
      code: 'TEXT_LENGTH',
      details: { actual: 255 },
    });
    expect(thrown(() => parseIdCardText(Buffer.concat([text, Buffer.alloc(2)]))).code).toBe('TEXT_LENGTH');

    const badDate = Buffer.from(text);
    badDate.write('1', 18 * 2 + 4 * 2, 'utf16le'); // birth 19850709 → 19851709: month 17
    expect(thrown(() => parseIdCardText(badDate))).toMatchObject({
      code: 'TEXT_FIELD_INVALID',
      details: { field: 'birth' },
    });

    const badSex = Buffer.from(text);
    badSex.write('5', 15 * 2, 'utf16le');
    expect(thrown(() => parseIdCardText(badSex)).code).toBe('TEXT_FIELD_INVALID');

    for (const letter of ['J', 'I']) {
      const permit = Buffer.from(text);
      permit.write(letter, 124 * 2, 'utf16le');
      expect(thrown(() => parseIdCardText(permit)).code).toBe('UNSUPPORTED_CARD_TYPE');
    }
  });

  it('refuses to build what a card cannot hold', () => {
    expect(thrown(() => buildIdCardText({ ...SAMPLE, name: '阿'.repeat(16) })).code).toBe('TEXT_FIELD_TOO_LONG');
    expect(thrown(() => buildIdCardText({ ...SAMPLE, name: '𠀀' })).code).toBe('TEXT_NOT_UCS2');
    expect(thrown(() => buildIdCardText({ ...SAMPLE, birthDate: '1985-02-30' })).code).toBe('TEXT_FIELD_INVALID');
    expect(thrown(() => buildIdCardText({ ...SAMPLE, sexCode: '3' })).code).toBe('TEXT_FIELD_INVALID');
    expect(thrown(() => buildIdCardText({ ...SAMPLE, nationCode: '3' })).code).toBe('TEXT_FIELD_INVALID');
  });
});

// ---- property tests -------------------------------------------------------------------------

const cjk = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .array(
      fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
      { minLength: min, maxLength: max },
    )
    .map((a) => a.join(''));
const isoDateArb = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const fieldsArb: fc.Arbitrary<IdCardTextFields> = fc.record({
  name: fc.oneof(
    cjk(1, 15),
    cjk(1, 6).map((s) => `${s}·${s}`.slice(0, 15)),
  ),
  sexCode: fc.constantFrom('1', '2', '0', '9'),
  nationCode: fc.oneof(fc.constantFrom(...Object.keys(NATIONS)), fc.constantFrom('00', '57', '99')),
  birthDate: isoDateArb,
  // Addresses mix characters and digits, with inner spaces but none at the end (that is padding).
  address: fc.tuple(cjk(1, 20), fc.nat(9999), cjk(0, 8)).map(([a, n, b]) => `${a} ${n}号${b}`.slice(0, 35).trimEnd()),
  idNumber: fc.stringMatching(/^\d{17}[\dX]$/),
  issuingAuthority: cjk(1, 15),
  validFrom: isoDateArb,
  validTo: fc.oneof(isoDateArb, fc.constant(LONG_TERM)),
});

describe('text block properties', () => {
  it('parse(build(fields)) gives the fields back', () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        const parsed = parseIdCardText(buildIdCardText(fields));
        const { sex: _sex, nation, ...stored } = parsed;
        expect(stored).toEqual(fields);
        expect(nation).toBe(NATIONS[fields.nationCode] ?? null);
      }),
    );
  });

  it('any 256 bytes either parse or fail with a ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), (bytes) => {
        try {
          parseIdCardText(Buffer.from(bytes));
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });
});

function containsPreamble(bytes: Uint8Array): boolean {
  return Buffer.from(bytes).indexOf(PREAMBLE) >= 0;
}

/** Bytes biased toward the preamble's own values, so partial preambles are common. */
const noisyByte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0xaa, 0x96, 0x69));
const garbageArb = fc
  .array(noisyByte, { maxLength: 24 })
  .map((a) => Uint8Array.from(a))
  .filter((g) => !containsPreamble(g));

/** Valid frames: commands, short replies, replies whose data contains a preamble, real read replies. */
const frameArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 40 }))
    .map(([c, p, d]) => encodeCommand(c, p, d)),
  fc.constantFrom(buildFindReply(true), buildFindReply(false), buildSelectReply(true), buildSamStatusReply()),
  fc
    .tuple(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }))
    .map(([a, b]) => encodeReply(0, 0, 0x90, Buffer.concat([a, PREAMBLE, Buffer.of(0x00, 0x04), b]))),
  fieldsArb.map((f) => buildReadReply(f, PHOTO)),
);

/** Cuts a stream into chunks of the given sizes (cycled), so frames split anywhere. */
function chunk(stream: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0, i = 0; pos < stream.length; i++) {
    const size = sizes.length === 0 ? stream.length : sizes[i % sizes.length];
    out.push(stream.subarray(pos, pos + size));
    pos += size;
  }
  return out;
}

function feed(parser: IdCardFrameParser, chunks: Buffer[]): ParsedEvent[] {
  const events: ParsedEvent[] = [];
  for (const c of chunks) {
    events.push(...parser.push(c));
    expect(parser.bufferedBytes).toBeLessThanOrEqual(parser.maxFrameSize);
  }
  events.push(...parser.flush());
  expect(parser.bufferedBytes).toBe(0);
  return events;
}

const framesOf = (events: ParsedEvent[]): string[] =>
  events.flatMap((e) => (e.kind === 'frame' ? [toHex(e.frame)] : []));

describe('IdCardFrameParser', () => {
  it('finds exactly the valid frames, in order, however the stream is chunked and whatever garbage is between', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(garbageArb, frameArb), { maxLength: 8 }),
        garbageArb,
        fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 2000 })), { maxLength: 20 }),
        (pairs, tail, sizes) => {
          const stream = Buffer.concat([...pairs.flatMap(([g, f]) => [g, f]), tail]);
          const events = feed(new IdCardFrameParser(), chunk(stream, sizes));
          expect(framesOf(events)).toEqual(pairs.map(([, f]) => toHex(f)));
          // Nothing was mistaken for a broken frame, and every garbage byte is reported once.
          expect(events.filter((e) => e.kind !== 'frame' && e.kind !== 'garbage')).toEqual([]);
          const garbage = events.flatMap((e) => (e.kind === 'garbage' ? [e.bytes] : []));
          expect(toHex(Buffer.concat(garbage))).toBe(toHex(Buffer.concat([...pairs.map(([g]) => g), tail])));
        },
      ),
    );
  });

  it('never throws on random bytes, and keeps its buffer bounded', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(PREAMBLE), fc.constant(Uint8Array.of(0xaa, 0xaa))),
          {
            maxLength: 30,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 10 }),
        fc.integer({ min: 10, max: 5000 }),
        (parts, sizes, maxFrameSize) => {
          const parser = new IdCardFrameParser({ maxFrameSize });
          const events = feed(parser, chunk(Buffer.concat(parts), sizes));
          for (const e of events) {
            expect(['frame', 'garbage', 'bad-checksum', 'bad-length', 'truncated']).toContain(e.kind);
            if (e.kind === 'frame') {
              expect(() => decodeCommand(e.frame)).not.toThrow();
              expect(e.frame.length).toBeLessThanOrEqual(maxFrameSize);
            }
          }
        },
      ),
    );
  });

  it('reports a corrupted byte after the length field as a bad checksum and still finds the next frame', () => {
    // Body bytes without 0xAA, so one changed byte can never complete a preamble inside the frame.
    const bodyArb = fc.array(
      fc.integer({ min: 0, max: 254 }).map((b) => (b >= 0xaa ? b + 1 : b)),
      { minLength: 3, maxLength: 60 },
    );
    fc.assert(
      fc.property(
        bodyArb,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.array(fc.integer({ min: 1, max: 40 })),
        (body, at, delta, sizes) => {
          const original = encodeFrame(Uint8Array.from(body));
          const corrupted = Buffer.from(original);
          const pos = 7 + (at % (original.length - 7));
          corrupted[pos] ^= delta;
          const next = buildFindReply(true);
          const events = feed(new IdCardFrameParser(), chunk(Buffer.concat([corrupted, next]), sizes));
          expect(events.some((e) => e.kind === 'bad-checksum')).toBe(true);
          expect(framesOf(events)).toEqual([toHex(next)]);
        },
      ),
    );
  });

  it('never passes off a frame with any corrupted byte (preamble and length included) as the original', () => {
    fc.assert(
      fc.property(
        frameArb,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.array(fc.integer({ min: 1, max: 300 })),
        (original, at, delta, sizes) => {
          const corrupted = Buffer.from(original);
          corrupted[at % original.length] ^= delta;
          const next = buildSelectReply(true);
          fc.pre(!original.equals(next));
          const events = feed(new IdCardFrameParser(), chunk(Buffer.concat([corrupted, next]), sizes));
          expect(framesOf(events)).not.toContain(toHex(original));
          expect(events.some((e) => e.kind !== 'frame')).toBe(true);
        },
      ),
    );
  });

  it('reports impossible lengths and rescans behind them', () => {
    const next = buildFindReply(true);
    const tooShort = hex('AA AA AA 96 69 00 01 FF');
    const tooLong = hex('AA AA AA 96 69 FF FF 00');
    const events = feed(new IdCardFrameParser(), [Buffer.concat([tooShort, tooLong, next])]);
    expect(events.filter((e) => e.kind === 'bad-length').map((e) => (e.kind === 'bad-length' ? e.length : -1))).toEqual(
      [1, 0xffff],
    );
    expect(framesOf(events)).toEqual([toHex(next)]);
  });

  it('finds frames swallowed by a corrupted (too large) length once the stream ends', () => {
    const bad = buildSamStatusReply();
    bad[6] = 0x40; // length 0x0004 → 0x0040: the candidate now needs 71 bytes
    const next = buildFindReply(true);
    const parser = new IdCardFrameParser();
    const pushed = parser.push(Buffer.concat([bad, next]));
    expect(framesOf(pushed)).toEqual([]); // still waiting for the long candidate to complete
    const flushed = parser.flush();
    expect(flushed[0]).toMatchObject({ kind: 'truncated', expectedBytes: 71 });
    expect(framesOf(flushed)).toEqual([toHex(next)]);
  });

  it('refuses frames larger than the configured maximum', () => {
    const read = buildReadReply(SAMPLE, PHOTO);
    const events = feed(new IdCardFrameParser({ maxFrameSize: 1000 }), [read]);
    expect(events[0]).toMatchObject({ kind: 'bad-length', length: 0x508, maxLength: 993 });
    expect(framesOf(events)).toEqual([]);
    expect(framesOf(feed(new IdCardFrameParser({ maxFrameSize: 1295 }), [read]))).toEqual([toHex(read)]);
    expect(() => new IdCardFrameParser({ maxFrameSize: 9 })).toThrow(RangeError);
  });

  it('handles several frames in one chunk and one frame over many single-byte chunks', () => {
    const a = buildFindReply(true);
    const b = buildSelectReply(true);
    const c = buildReadReply(SAMPLE, PHOTO);
    const parser = new IdCardFrameParser();
    expect(framesOf(parser.push(Buffer.concat([a, b])))).toEqual([toHex(a), toHex(b)]);
    const events: ParsedEvent[] = [];
    for (const byte of c) {
      events.push(...parser.push(Buffer.of(byte)));
    }
    expect(events).toEqual([{ kind: 'frame', frame: c }]);
  });

  it('does not let emitted frames alias the caller’s chunk', () => {
    const chunkBytes = buildFindReply(true);
    const [event] = new IdCardFrameParser().push(chunkBytes);
    chunkBytes.fill(0);
    expect(event).toEqual({ kind: 'frame', frame: buildFindReply(true) });
  });
});

import fc from 'fast-check';
import { ProtocolError } from './protocol-error';
import { encodeTlv, parseTlv, TlvError } from './tlv';

describe('tlv', () => {
  it('parses the records of EF05', () => {
    const bytes = Buffer.from('0304332E3030', 'hex');
    expect(parseTlv(bytes)).toEqual([{ tag: 0x03, value: Buffer.from('3.00') }]);
    expect(parseTlv(Buffer.from('0100' + '0201' + '41', 'hex'))).toEqual([
      { tag: 0x01, value: Buffer.alloc(0) },
      { tag: 0x02, value: Buffer.from('A') },
    ]);
  });

  it('reads the three-byte length form', () => {
    const value = Buffer.alloc(300, 0x41);
    const bytes = Buffer.concat([Buffer.from([0x09, 0xff, 0x01, 0x2c]), value]);
    expect(parseTlv(bytes)).toEqual([{ tag: 0x09, value }]);
    expect(encodeTlv([{ tag: 0x09, value }])).toEqual(bytes);
  });

  it.each([
    ['', 'EMPTY', 0],
    ['00', 'BAD_TAG', 0],
    ['0101AAFF', 'BAD_TAG', 3],
    ['01', 'TRUNCATED_LENGTH', 1],
    ['01FF01', 'TRUNCATED_LENGTH', 2],
    ['010401020', 'TRUNCATED_VALUE', 2], // odd hex: Buffer drops the last nibble → 3 bytes
    ['0110' + '00'.repeat(15), 'TRUNCATED_VALUE', 2],
    ['01FF0012' + '00'.repeat(18), 'NON_MINIMAL_LENGTH', 2],
  ])('refuses %s with %s at offset %s', (hex, reason, offset) => {
    let caught: unknown;
    try {
      parseTlv(Buffer.from(hex, 'hex'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TlvError);
    expect(caught).toMatchObject({ reason, code: `TLV_${reason}`, offset });
  });

  it('refuses a stray byte after the last element', () => {
    expect(() => parseTlv(Buffer.from('02014190', 'hex'))).toThrow(
      expect.objectContaining({ reason: 'TRUNCATED_LENGTH', offset: 4 }),
    );
  });

  it('round-trips any list of elements', () => {
    const element = fc.record({
      tag: fc.integer({ min: 1, max: 0xfe }),
      value: fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)),
    });
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 6 }), (elements) => {
        expect(parseTlv(encodeTlv(elements))).toEqual(elements);
      }),
    );
  });

  it('re-encodes whatever it accepts to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          expect(encodeTlv(parseTlv(bytes))).toEqual(Buffer.from(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });

  it('never throws anything but a TlvError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        try {
          parseTlv(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(TlvError);
        }
      }),
    );
  });
});

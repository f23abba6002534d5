import fc from 'fast-check';
import { parseAimIdentifier } from './aim-symbology';
import { encodeGbk } from './gbk-codec';
import { ProtocolError } from './protocol-error';
import { ScanEvent, ScannerFramer, ScannerFramerOptions, ScannerTerminator } from './scanner-framing';

const TRACE = '81234567890123456789';
const texts = (events: ScanEvent[]): string[] => events.map((e) => (e.kind === 'scan' ? e.text : `<${e.kind}>`));

/** Feeds `input` in the given pieces, all at time 0, and ends the stream. */
function frame(options: ScannerFramerOptions, ...pieces: (string | Buffer)[]): ScanEvent[] {
  const framer = new ScannerFramer(options);
  const events = pieces.flatMap((p) => framer.push(typeof p === 'string' ? Buffer.from(p, 'utf8') : p, 0));
  return events;
}

describe('scanner-framing', () => {
  describe(ScannerFramer.name, () => {
    it.each([
      ['CR', '\r'],
      ['LF', '\n'],
      ['CRLF', '\r\n'],
      ['TAB', '\t'],
    ] as const)('splits codes on %s', (terminator, t) => {
      expect(texts(frame({ terminator }, `${TRACE}${t}6901234567892${t}`))).toEqual([TRACE, '6901234567892']);
    });

    it('waits for the LF of a CRLF split across chunks', () => {
      const framer = new ScannerFramer({ terminator: 'CRLF' });
      expect(framer.push(Buffer.from(`${TRACE}\r`), 0)).toEqual([]);
      expect(framer.pending).toBe(true);
      expect(texts(framer.push(Buffer.from('\nAB'), 1))).toEqual([TRACE]);
    });

    it('keeps a lone CR as data in CRLF mode', () => {
      expect(texts(frame({ terminator: 'CRLF' }, 'A\rB\r', '\r\n'))).toEqual(['A\rB\r']);
    });

    it('ends a code after the inter-byte timeout when there is no terminator', () => {
      const framer = new ScannerFramer({ terminator: 'none', interByteTimeoutMs: 50 });
      expect(framer.push(Buffer.from('8123'), 1000)).toEqual([]);
      expect(framer.push(Buffer.from('4567'), 1030)).toEqual([]); // 30 ms: same code
      expect(framer.flush(1079)).toEqual([]);
      expect(texts(framer.flush(1080))).toEqual(['81234567']);
      expect(framer.pending).toBe(false);
      expect(framer.flush(5000)).toEqual([]);
      // A pause noticed only when the next chunk arrives ends the previous code first.
      framer.push(Buffer.from('111'), 6000);
      expect(texts(framer.push(Buffer.from('222'), 6100))).toEqual(['111']);
      expect(texts(framer.end())).toEqual(['222']);
    });

    it('ends a code on a pause even with a terminator configured, and drops a cut-off CRLF half', () => {
      const framer = new ScannerFramer({ terminator: 'CRLF', interByteTimeoutMs: 100 });
      framer.push(Buffer.from('ABC\r'), 0);
      expect(texts(framer.flush(100))).toEqual(['ABC']);
      expect(texts(framer.push(Buffer.from('\nDEF\r\n'), 150))).toEqual(['DEF']);
    });

    it('requires a timeout when there is no terminator', () => {
      expect(() => new ScannerFramer({ terminator: 'none' })).toThrow(ProtocolError);
      expect(() => new ScannerFramer({ maxLength: 0 })).toThrow(
        expect.objectContaining({ code: 'SCANNER_BAD_OPTIONS' }),
      );
      expect(() => new ScannerFramer({ interByteTimeoutMs: -1 })).toThrow(ProtocolError);
    });

    it('strips the configured prefix and suffix', () => {
      const events = frame({ prefix: '#', suffix: '$$' }, `#${TRACE}$$\r`, 'NOPREFIX\r');
      expect(texts(events)).toEqual([TRACE, 'NOPREFIX']);
      expect(events[0]).toMatchObject({ raw: Buffer.from(`#${TRACE}$$`) });
    });

    it('reports and strips AIM symbology identifiers', () => {
      const events = frame({ prefix: '>' }, `>]Q1https://example.invalid/q\r]E06901234567892\r]X\r`);
      expect(events[0]).toMatchObject({
        kind: 'scan',
        text: 'https://example.invalid/q',
        symbology: { id: ']Q1', name: 'QR Code', gs1: false },
      });
      expect(events[1]).toMatchObject({ text: '6901234567892', symbology: { id: ']E0', name: 'EAN/UPC' } });
      expect(events[2]).toMatchObject({ kind: 'scan', text: ']X' });
      expect(events[2]).not.toHaveProperty('symbology');
    });

    it('keeps GS (FNC1) separators in GS1 codes', () => {
      const gs1 = '010690123456789217270101\u001d10ABC123\u001d21XYZ';
      const [event] = frame({}, `]d2${gs1}\r`);
      expect(event).toMatchObject({ kind: 'scan', text: gs1, symbology: { id: ']d2', gs1: true } });
      expect(frame({}, `]C1${gs1}\r`)[0]).toMatchObject({ symbology: { gs1: true, name: 'Code 128' } });
    });

    it('decodes GBK when the bytes are not UTF-8', () => {
      const gbk = Buffer.concat([encodeGbk('宁夏融合码:马晓燕'), Buffer.from('\r')]);
      expect(frame({}, gbk)[0]).toMatchObject({ kind: 'scan', text: '宁夏融合码:马晓燕', encoding: 'gbk' });
      expect(frame({}, '宁夏\r')[0]).toMatchObject({ text: '宁夏', encoding: 'utf-8' });
    });

    it('reports bytes that are neither UTF-8 nor GBK, and codes that are only decoration', () => {
      expect(frame({}, Buffer.from([0x41, 0xff, 0x0d]))).toEqual([
        { kind: 'invalid', reason: 'not-text', raw: Buffer.from([0x41, 0xff]) },
      ]);
      expect(frame({ prefix: '#' }, '#]Q1\r')).toEqual([
        { kind: 'invalid', reason: 'empty', raw: Buffer.from('#]Q1') },
      ]);
      expect(frame({}, '\r\r\r')).toEqual([]); // empty lines are not codes
    });

    it('reports an overlong code once and drops its tail', () => {
      const events = frame({ maxLength: 8 }, '123456789ABCDEF', 'GHIJ\rOK\r');
      expect(events).toEqual([
        { kind: 'overflow', maxLength: 8, raw: Buffer.from('12345678') },
        expect.objectContaining({ kind: 'scan', text: 'OK' }),
      ]);
      expect(texts(frame({ maxLength: 8 }, '12345678\r'))).toEqual(['12345678']);
    });

    it('gives back exactly the codes, in order, however the stream is cut', () => {
      const terminators: Record<Exclude<ScannerTerminator, 'none'>, string> = {
        CR: '\r',
        LF: '\n',
        CRLF: '\r\n',
        TAB: '\t',
      };
      const code = fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
        .filter((s) => !/[\r\n\t]/.test(s) && parseAimIdentifier(Buffer.from(s)) === undefined);
      fc.assert(
        fc.property(
          fc.constantFrom(...(Object.keys(terminators) as (keyof typeof terminators)[])),
          fc.array(code, { maxLength: 10 }),
          fc.array(fc.nat(), { maxLength: 20 }),
          (terminator, codes, cuts) => {
            const stream = Buffer.from(codes.map((c) => c + terminators[terminator]).join(''), 'utf8');
            const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
            const framer = new ScannerFramer({ terminator });
            const events: ScanEvent[] = [];
            let from = 0;
            for (const at of [...points, stream.length]) {
              events.push(...framer.push(stream.subarray(from, at), 0));
              from = at;
            }
            expect(texts(events)).toEqual(codes);
            expect(framer.pending).toBe(false);
          },
        ),
      );
    });

    it('never throws on random bytes, chunks and times', () => {
      const options = fc.record({
        terminator: fc.constantFrom<ScannerTerminator>('CR', 'LF', 'CRLF', 'TAB', 'none'),
        interByteTimeoutMs: fc.integer({ min: 1, max: 100 }),
        maxLength: fc.integer({ min: 1, max: 64 }),
        prefix: fc.constantFrom('', '#', ']'),
        suffix: fc.constantFrom('', '$'),
      });
      const step = fc.record({ bytes: fc.uint8Array({ maxLength: 80 }), dt: fc.integer({ min: 0, max: 200 }) });
      fc.assert(
        fc.property(options, fc.array(step, { maxLength: 20 }), (opts, steps) => {
          const framer = new ScannerFramer(opts);
          let now = 0;
          for (const { bytes, dt } of steps) {
            now += dt;
            for (const event of [...framer.flush(now), ...framer.push(bytes, now)]) {
              if (event.kind === 'overflow') {
                expect(event.raw.length).toBe(opts.maxLength);
              } else {
                expect(event.raw.length).toBeLessThanOrEqual(opts.maxLength);
              }
            }
          }
          framer.end();
          expect(framer.pending).toBe(false);
        }),
      );
    });
  });

  describe(parseAimIdentifier.name, () => {
    it('needs ] + letter + digit', () => {
      expect(parseAimIdentifier(Buffer.from(']e0010123'))).toEqual({
        id: ']e0',
        code: 'e',
        modifier: '0',
        name: 'GS1 DataBar',
        gs1: true,
      });
      expect(parseAimIdentifier(Buffer.from(']Y9x'))).toEqual({ id: ']Y9', code: 'Y', modifier: '9', gs1: false });
      expect(parseAimIdentifier(Buffer.from(']Q'))).toBeUndefined();
      expect(parseAimIdentifier(Buffer.from(']1Q'))).toBeUndefined();
      expect(parseAimIdentifier(Buffer.from('Q1]'))).toBeUndefined();
    });
  });
});

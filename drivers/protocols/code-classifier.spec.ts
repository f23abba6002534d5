import fc from 'fast-check';
import { classifyCode, gb11643CheckChar, normalizeIdNumber, type Classification } from './code-classifier';
import { GS, gs1CheckDigit, gs1Expiry, isValidGtin } from './gs1';
import { ProtocolError } from './protocol-error';

const CJK = /[\u4e00-\u9fff]/;
const at = (iso: string): { now: Date } => ({ now: new Date(iso) });

/** Narrows a classification for the assertions that follow. */
function as<K extends Classification['kind']>(c: Classification, kind: K): Extract<Classification, { kind: K }> {
  expect(c.kind).toBe(kind);
  return c as Extract<Classification, { kind: K }>;
}

describe('check characters', () => {
  it('computes GB 11643 check characters', () => {
    expect(gb11643CheckChar('11010519491231002')).toBe('X');
    // 4·7+4·9+0·10+3·5+0·8+4·4+1·2+9·1+9·6+0·3+0·7+1·9+0·10+1·5+0·8+0·4+1·2 = 176; 176 mod 11 = 0 → '1'
    expect(gb11643CheckChar('44030419900101001')).toBe('1');
    expect(() => gb11643CheckChar('1101051949123100')).toThrow(RangeError);
    expect(() => gb11643CheckChar('１１０１０５１９４９１２３１００２')).toThrow(RangeError);
  });

  it('normalises ID numbers: full-width, lower-case x, 15 → 18 digits', () => {
    expect(normalizeIdNumber(' 11010519491231002x ')).toBe('11010519491231002X');
    expect(normalizeIdNumber('１１０１０５１９４９１２３１００２Ｘ')).toBe('11010519491231002X');
    // first generation: 110105 49 1231 002 → 110105 1949 1231 002 + check
    expect(normalizeIdNumber('110105491231002')).toBe('11010519491231002X');
    const err = (() => {
      try {
        normalizeIdNumber('1101051949123100');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err).toMatchObject({ code: 'ID_MALFORMED' });
  });

  it('computes GS1 check digits (worked by hand in the comments)', () => {
    // 6·1+9·3+0·1+1·3+2·1+3·3+4·1+5·3+6·1+7·3+8·1+9·3 = 128 → 10 − 8 = 2
    expect(gs1CheckDigit('690123456789')).toBe(2);
    expect(isValidGtin('6901234567892')).toBe(true);
    expect(isValidGtin('6901234567893')).toBe(false);
    // indicator 1: 1·3+6·1+9·3+0·1+1·3+2·1+3·3+4·1+5·3+6·1+7·3+8·1+9·3 = 131 → 9
    expect(isValidGtin('16901234567899')).toBe(true);
  });

  it('reads GS1 expiry dates: day 00 is the month’s last day; the century slides with today', () => {
    expect(gs1Expiry('240200', '2026-01-15')).toBe('2024-02-29');
    expect(gs1Expiry('270600', '2026-01-15')).toBe('2027-06-30');
    expect(gs1Expiry('750101', '2026-01-15')).toBe('2075-01-01');
    expect(gs1Expiry('991231', '2026-01-15')).toBe('1999-12-31');
    expect(gs1Expiry('271301', '2026-01-15')).toBeUndefined();
    expect(gs1Expiry('270230', '2026-01-15')).toBeUndefined();
  });
});

describe('classifyCode: examples of each kind', () => {
  it('trace codes (码上放心 and others), as scanners deliver them', () => {
    expect(classifyCode('81234567890123456789')).toEqual({
      kind: 'trace-code',
      code: '81234567890123456789',
      productCode: '8123456',
      platform: 'msfx',
    });
    expect(classifyCode('81234567890123456789\r\n')).toMatchObject({
      kind: 'trace-code',
      code: '81234567890123456789',
    });
    // typed through a Chinese IME in full-width mode
    expect(classifyCode('８１２３４５６７８９０１２３４５６７８９')).toMatchObject({
      kind: 'trace-code',
      platform: 'msfx',
    });
    expect(classifyCode(']C081234567890123456789')).toMatchObject({ kind: 'trace-code', code: '81234567890123456789' });
    expect(classifyCode('71234567890123456789')).toMatchObject({
      kind: 'trace-code',
      platform: 'other',
      productCode: '7123456',
    });
  });

  it('refuses 19 and 21 digits with the 20-digit rule', () => {
    for (const code of ['8123456789012345678', '812345678901234567890']) {
      const r = as(classifyCode(code), 'refused');
      expect(r.code).toBe('TRACE_CODE_LENGTH');
      expect(r.message).toMatch(/^追溯码应为20位/);
      expect(r.details).toEqual({ length: code.length });
    }
  });

  it('GS1 DataMatrix with AIM prefix and GS separators', () => {
    const scanned = `]d20106901234567892${'21'}SN-0001/A${GS}17270600${'10'}B2024X`;
    expect(classifyCode(scanned, at('2026-01-15T10:00:00+08:00'))).toEqual({
      kind: 'gs1',
      gtin: '06901234567892',
      serial: 'SN-0001/A',
      expiry: '2027-06-30',
      batch: 'B2024X',
      expired: false,
    });
  });

  it('GS1 in the printed bracket form, with ]C1 / ]Q3, and without any marker', () => {
    const expected = { kind: 'gs1', gtin: '16901234567899', serial: 'ABC123', batch: 'L01', expired: false };
    expect(classifyCode('(01)16901234567899(21)ABC123(10)L01')).toEqual(expected);
    expect(classifyCode('(01) 16901234567899 (21) ABC123 (10) L01')).toEqual(expected);
    expect(classifyCode(`]C10116901234567899${'21'}ABC123${GS}10L01`)).toEqual(expected);
    expect(classifyCode(`]Q30116901234567899${'10'}L01${GS}21ABC123`)).toEqual(expected);
    // a keyboard wedge dropped the GS, but the serial comes last so nothing is ambiguous
    expect(classifyCode('011690123456789921ABC123')).toMatchObject({ kind: 'gs1', serial: 'ABC123' });
    expect(classifyCode('01069012345678921727063021123456789', at('2026-01-15T00:00:00Z'))).toMatchObject({
      kind: 'gs1',
      gtin: '06901234567892',
      expiry: '2027-06-30',
      serial: '123456789',
    });
    expect(classifyCode('(01)06901234567892(21)X1(11)250101(30)10')).toMatchObject({
      kind: 'gs1',
      otherElements: { '11': '250101', '30': '10' },
    });
  });

  it('flags an expired pack by the calendar date in China', () => {
    const pack = '(01)06901234567892(21)SN0001(17)250531(10)L1';
    expect(classifyCode(pack, at('2025-05-31T15:00:00Z'))).toMatchObject({
      kind: 'gs1',
      expiry: '2025-05-31',
      expired: false,
    });
    // 16:30 UTC is already 1 June in Yinchuan
    expect(classifyCode(pack, at('2025-05-31T16:30:00Z'))).toMatchObject({
      kind: 'gs1',
      expiry: '2025-05-31',
      expired: true,
    });
    expect(classifyCode(pack, at('2026-03-01T08:00:00+08:00'))).toMatchObject({ expired: true });
  });

  it('refuses broken GS1 strings with what to do', () => {
    expect(as(classifyCode('(01)06901234567893(21)X'), 'refused')).toMatchObject({
      code: 'GS1_CHECK_DIGIT',
      details: { expected: 2 },
    });
    expect(as(classifyCode('(01)06901234567892(17)270630'), 'refused').code).toBe('GS1_NO_SERIAL');
    const noSeparator = as(classifyCode(']d20106901234567892' + '21ABCDEFGHIJKLMNOPQRSTUV17270630'), 'refused');
    expect(noSeparator).toMatchObject({ code: 'GS1_MALFORMED', details: { reason: 'missing-separator', ai: '21' } });
    expect(noSeparator.message).toContain('GS分隔符');
    expect(as(classifyCode('(01)06901234567892(21)X(17)251301'), 'refused').details).toEqual({
      reason: 'bad-expiry',
      ai: '17',
    });
    expect(as(classifyCode('(21)X(10)Y'), 'refused').details).toEqual({ reason: 'no-gtin' });
    expect(as(classifyCode('(01)0690123456789(21)X'), 'refused').code).toBe('GS1_MALFORMED');
    expect(as(classifyCode('(01)06901234567892(21)A(21)B'), 'refused').details).toMatchObject({
      reason: 'conflicting-duplicate',
    });
    expect(as(classifyCode(`]d2${GS}`), 'refused').code).toBe('GS1_MALFORMED');
  });

  it('commodity barcodes are not trace codes, and say so', () => {
    const ean = as(classifyCode('6901234567892'), 'commodity-barcode');
    expect(ean).toMatchObject({ code: '6901234567892', symbology: 'EAN-13', china: true });
    expect(ean.message).toContain('不是药品追溯码');
    expect(ean.message).toContain('20位追溯码');
    expect(classifyCode('4006381333931')).toMatchObject({ kind: 'commodity-barcode', china: false });
    expect(classifyCode('16901234567899')).toMatchObject({
      kind: 'commodity-barcode',
      symbology: 'GTIN-14',
      china: true,
    });
    expect(classifyCode('96385074')).toMatchObject({ kind: 'commodity-barcode', symbology: 'EAN-8' });
    expect(classifyCode(']E06901234567892')).toMatchObject({ kind: 'commodity-barcode', code: '6901234567892' });
    const bad = as(classifyCode('6901234567893'), 'refused');
    expect(bad.code).toBe('EAN_CHECK_DIGIT');
    expect(bad.message).toContain('追溯码');
  });

  it('ID numbers: 18 characters, lower-case x, full-width, first generation', () => {
    expect(classifyCode('11010519491231002X')).toEqual({
      kind: 'id-number',
      value: '11010519491231002X',
      generation: 2,
    });
    expect(classifyCode('11010519491231002x')).toMatchObject({ value: '11010519491231002X' });
    expect(classifyCode('１１０１０５１９４９１２３１００２ｘ')).toMatchObject({
      kind: 'id-number',
      value: '11010519491231002X',
    });
    expect(classifyCode('110105491231002')).toEqual({ kind: 'id-number', value: '11010519491231002X', generation: 1 });
    // fifteen digits that hold no date are not an ID number (an IMEI, say)
    expect(classifyCode('356938035643809')).toEqual({ kind: 'qr-token', token: '356938035643809' });
  });

  it('refuses ID numbers that fail their checks, without echoing the number', () => {
    const r = as(classifyCode('110105194912310021'), 'refused');
    expect(r.code).toBe('ID_CHECK_DIGIT');
    expect(JSON.stringify(r)).not.toContain('110105194912310021');
    expect(as(classifyCode('110105194913310024'), 'refused').code).toBe('ID_BIRTH_DATE');
    expect(as(classifyCode('010105194912310021'), 'refused').code).toBe('ID_MALFORMED');
    expect(as(classifyCode('11010519491231002'), 'refused').code).toBe('ID_LENGTH');
  });

  it('QR tokens are passed on untouched', () => {
    const url = 'https://ssc.mohrss.gov.cn/qr?c=Zm9vYmFyLWJhei0xMjM0NTY3ODkw&t=1732500000';
    expect(classifyCode(url)).toEqual({ kind: 'qr-token', token: url });
    expect(classifyCode(`${url}\n`)).toEqual({ kind: 'qr-token', token: url });
    expect(classifyCode(']Q1NX:0b7d9c2e4f6a8b1c3d5e7f90')).toEqual({
      kind: 'qr-token',
      token: 'NX:0b7d9c2e4f6a8b1c3d5e7f90',
    });
    expect(classifyCode('请关注公众号 宁夏人社')).toMatchObject({ kind: 'qr-token' });
    expect(classifyCode('1234567890123456')).toMatchObject({ kind: 'qr-token' });
    // Only an ASCII `]` starts an identifier: U+015D is not clipped (its latin1 byte is 0x5D).
    expect(classifyCode('\u015dQ1NX:0b7d9c2e4f6a8b1c3d5e7f90')).toEqual({
      kind: 'qr-token',
      token: '\u015dQ1NX:0b7d9c2e4f6a8b1c3d5e7f90',
    });
  });

  it('refuses empty, too long, invisible and too short input', () => {
    expect(as(classifyCode(''), 'refused').code).toBe('EMPTY');
    expect(as(classifyCode(' \r\n\t'), 'refused').code).toBe('EMPTY');
    expect(as(classifyCode(']d2'), 'refused').code).toBe('EMPTY');
    expect(as(classifyCode('A'.repeat(1025)), 'refused').code).toBe('TOO_LONG');
    expect(as(classifyCode('A'.repeat(5_000_000)), 'refused').code).toBe('TOO_LONG');
    expect(as(classifyCode('abc\u0007defgh123'), 'refused').code).toBe('NON_PRINTABLE');
    expect(as(classifyCode('abc\u200bdefgh123'), 'refused').code).toBe('NON_PRINTABLE');
    expect(as(classifyCode('abc\ud800defgh123'), 'refused').code).toBe('NON_PRINTABLE');
    expect(as(classifyCode('12345'), 'refused').code).toBe('UNRECOGNISED');
    expect(as(classifyCode('abc'), 'refused').code).toBe('UNRECOGNISED');
    expect(as(classifyCode(undefined as unknown as string), 'refused').code).toBe('EMPTY');
  });
});

// ---- property tests -------------------------------------------------------------------------

const KINDS = ['trace-code', 'gs1', 'commodity-barcode', 'id-number', 'qr-token', 'refused'];

/** Characters that exercise every branch: digits, brackets, AIM, GS, controls, full-width, surrogates. */
const trickyChar = fc.constantFrom(
  ...'0123456789()]dCQ2Xx8169 ',
  GS,
  '\u0000',
  '\r',
  '\u0007',
  '\u200b',
  '\ud800',
  '\udc00',
  '８',
  'Ｘ',
  '\u3000',
  '追',
);

describe('classifyCode properties', () => {
  it('never throws, always classifies, and every refusal has a code and a Chinese message', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.string({ unit: trickyChar, maxLength: 40 }),
          fc.string({ unit: 'grapheme', maxLength: 40 }),
          fc.stringMatching(/^(\]d2|\(01\))?[0-9]{10,40}$/),
        ),
        fc.date({ noInvalidDate: true }),
        (raw, now) => {
          const c = classifyCode(raw, { now });
          expect(KINDS).toContain(c.kind);
          if (c.kind === 'refused') {
            expect(c.code).toMatch(/^[A-Z0-9_]+$/);
            expect(c.message).toMatch(CJK);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  const birthArb = fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10).replace(/-/g, ''));

  it('valid generated ID numbers always classify as such, however they are typed', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{5}$/), birthArb, fc.stringMatching(/^\d{3}$/), (region, birth, seq) => {
        const first17 = region + birth + seq;
        const id = first17 + gb11643CheckChar(first17);
        const fullWidth = id.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
        for (const typed of [id, id.toLowerCase(), fullWidth, `${id}\r\n`]) {
          expect(classifyCode(typed)).toEqual({ kind: 'id-number', value: id, generation: 2 });
        }
        // one wrong character is caught
        const last = id[17];
        const wrong = id.slice(0, 17) + (last === '0' ? '1' : '0');
        expect(classifyCode(wrong)).toMatchObject({ kind: 'refused', code: 'ID_CHECK_DIGIT' });
      }),
    );
  });

  it('valid first-generation ID numbers are upgraded to 18 characters', () => {
    const birth19 = birthArb.filter((b) => b.startsWith('19')).map((b) => b.slice(2));
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{5}$/), birth19, fc.stringMatching(/^\d{3}$/), (region, birth, seq) => {
        const old = region + birth + seq;
        const c = classifyCode(old);
        expect(c).toEqual({ kind: 'id-number', value: normalizeIdNumber(old), generation: 1 });
      }),
    );
  });

  const serialArb = fc.stringMatching(/^[0-9A-Za-z\-./]{1,20}$/);
  const batchArb = fc.stringMatching(/^[0-9A-Z]{1,20}$/);

  it('valid generated GTINs classify as GS1 in every spelling, and as commodity barcodes alone', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{13}$/), serialArb, batchArb, (body, serial, batch) => {
        const gtin = body + String(gs1CheckDigit(body));
        const spellings = [
          `(01)${gtin}(21)${serial}(10)${batch}`,
          `]d201${gtin}21${serial}${GS}10${batch}`,
          `01${gtin}10${batch}${GS}21${serial}`,
          `]C101${gtin}21${serial}${GS}10${batch}${GS}`,
        ];
        for (const s of spellings) {
          expect(classifyCode(s)).toEqual({ kind: 'gs1', gtin, serial, batch, expired: false });
        }
        expect(classifyCode(gtin)).toMatchObject({ kind: 'commodity-barcode', code: gtin, symbology: 'GTIN-14' });
        const wrong = gtin.slice(0, 13) + String((Number(gtin[13]) + 1) % 10);
        expect(classifyCode(`(01)${wrong}(21)${serial}`)).toMatchObject({ kind: 'refused', code: 'GS1_CHECK_DIGIT' });
      }),
    );
  });

  it('valid generated EAN-13 codes are commodity barcodes; a wrong check digit is refused', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), (body) => {
        const ean = body + String(gs1CheckDigit(body));
        expect(classifyCode(ean)).toMatchObject({ kind: 'commodity-barcode', code: ean, symbology: 'EAN-13' });
        const wrong = body + String((gs1CheckDigit(body) + 1) % 10);
        expect(classifyCode(wrong)).toMatchObject({ kind: 'refused', code: 'EAN_CHECK_DIGIT' });
      }),
    );
  });

  it('any 20 digits are a trace code whose product code is the first 7', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{20}$/), (code) => {
        expect(classifyCode(code)).toEqual({
          kind: 'trace-code',
          code,
          productCode: code.slice(0, 7),
          platform: code.startsWith('8') ? 'msfx' : 'other',
        });
      }),
    );
  });
});

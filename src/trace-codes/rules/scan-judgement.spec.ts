import fc from 'fast-check';
import { gs1CheckDigit } from '../../../drivers/protocols/gs1';
import { judgeScan, type TraceRefusalCode } from './scan-judgement';

const NOW = new Date('2026-11-25T02:00:00Z');
const GS = '\u001d';
const gtin = (first13: string): string => `${first13}${gs1CheckDigit(first13)}`;
const GTIN = gtin('0690123456789');

const REFUSAL_CODES: readonly TraceRefusalCode[] = [
  'TRACE_CODE_EMPTY',
  'TRACE_CODE_LENGTH',
  'TRACE_CODE_COMMODITY_BARCODE',
  'TRACE_CODE_EXPIRED_PACK',
  'TRACE_CODE_GS1_INVALID',
  'TRACE_CODE_NOT_A_DRUG_CODE',
  'TRACE_CODE_UNREADABLE',
];

describe('scan judgement', () => {
  it('accepts a 20-digit trace code; its first 7 digits are the product', () => {
    expect(judgeScan('81234567890123456789\r\n', NOW)).toEqual({
      ok: true,
      drug: { code: '81234567890123456789', form: 'trace20', productCode: '8123456', batch: null, expiry: null },
    });
  });

  it('accepts a GS1 DataMatrix; the box is GTIN + serial whatever the spelling, batch and expiry kept', () => {
    const transmitted = judgeScan(`]d201${GTIN}1727123110LOT7${GS}21SER123`, NOW);
    const bracketed = judgeScan(`(01)${GTIN}(21)SER123(17)271231(10)LOT7`, NOW);
    expect(transmitted).toEqual({
      ok: true,
      drug: { code: `01${GTIN}21SER123`, form: 'gs1', productCode: GTIN, batch: 'LOT7', expiry: '2027-12-31' },
    });
    expect(bracketed.ok && bracketed.drug.code).toBe(`01${GTIN}21SER123`);
  });

  it('refuses a commodity barcode, a 19-digit code and an expired pack with distinct codes that say what to scan', () => {
    const refusal = (text: string, options = {}) => {
      const j = judgeScan(text, NOW, options);
      return j.ok ? undefined : j.refusal;
    };
    expect(refusal(gtin('690123456789'))).toMatchObject({
      code: 'TRACE_CODE_COMMODITY_BARCODE',
      message: expect.stringContaining('20位追溯码'),
    });
    expect(refusal('8123456789012345678')).toMatchObject({
      code: 'TRACE_CODE_LENGTH',
      message: expect.stringContaining('20位'),
    });
    expect(refusal(`(01)${GTIN}(17)251231(21)S1`)).toMatchObject({
      code: 'TRACE_CODE_EXPIRED_PACK',
      message: expect.stringContaining('有效期'),
    });
    // A return or scrap concerns that very box, expired or not.
    expect(judgeScan(`(01)${GTIN}(17)251231(21)S1`, NOW, { acceptExpired: true }).ok).toBe(true);
    expect(refusal(`(01)${GTIN}(17)271231`)).toMatchObject({ code: 'TRACE_CODE_GS1_INVALID' });
    expect(refusal('11010519491231002X')).toMatchObject({ code: 'TRACE_CODE_NOT_A_DRUG_CODE' });
    expect(refusal('   ')).toMatchObject({ code: 'TRACE_CODE_EMPTY' });
  });

  it('never throws on any text; every refusal has a known code and a Chinese message; every acceptance fits the column', () => {
    const texts = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 3000 }),
      fc.stringMatching(/^[0-9]{0,40}$/),
      fc
        .tuple(
          fc.constantFrom('', ']d2', ']C1', '(01)'),
          fc.array(fc.constantFrom(...'0123456789AZaz()'.split(''), GS), { maxLength: 60 }).map((cs) => cs.join('')),
        )
        .map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(
        texts,
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (text, now) => {
          const j = judgeScan(text, now);
          if (j.ok) {
            expect(j.drug.code.length).toBeLessThanOrEqual(38);
            expect(j.drug.productCode).toMatch(/^(\d{7}|\d{14})$/);
          } else {
            expect(REFUSAL_CODES).toContain(j.refusal.code);
            expect(j.refusal.message).toMatch(/[\u4e00-\u9fff]/);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

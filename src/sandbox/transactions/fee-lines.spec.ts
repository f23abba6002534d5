import { gs1CheckDigit } from '../../../drivers/protocols/gs1';
import { Rejection } from '../rejection';
import { isTraceCode, parseFeeLines } from './fee-lines';

const gtin = (first13: string): string => `${first13}${gs1CheckDigit(first13)}`;

describe('sandbox fee lines: drug trace codes', () => {
  const line = (codes: string[]) => ({
    feedetail: [
      {
        feedetl_sn: '1',
        med_list_codg: 'XM01',
        item_name: '布洛芬缓释胶囊',
        list_type: 'drug',
        cnt: 2,
        pric: 1,
        det_item_fee_sumamt: 2,
        injury_related: true,
        drug_trac_codg: codes,
      },
    ],
  });

  it('accepts 20-digit codes and the canonical GS1 form 01<GTIN-14>21<serial> the gateway stores', () => {
    const pack = `01${gtin('0690123456789')}21AB12-x/9`;
    expect(parseFeeLines(line(['81234567890123456789', pack]))[0].drug_trac_codg).toEqual([
      '81234567890123456789',
      pack,
    ]);
  });

  it('refuses a GS1 form with a wrong GTIN check digit, no serial, a serial over 20 characters, or a 19-digit code', () => {
    const good = gtin('0690123456789');
    const bad = `${good.slice(0, 13)}${(Number(good[13]) + 1) % 10}`;
    for (const code of [
      `01${bad}21X1`,
      `01${good}`,
      `01${good}21${'1'.repeat(21)}`,
      '8123456789012345678',
      `01${good}10LOT21X`,
    ]) {
      expect(isTraceCode(code)).toBe(false);
      expect(() => parseFeeLines(line([code]))).toThrow(Rejection);
    }
  });
});

import { fenToWire, thousandthsToWire, wireToFen } from './wire-money';

describe('amounts on the wire', () => {
  it('writes fen as yuan numbers that JSON prints with at most two decimals', () => {
    expect(JSON.stringify([1234, 1, 10, 100, 0, 999_999_999_99].map(fenToWire))).toBe(
      '[12.34,0.01,0.1,1,0,999999999.99]',
    );
    expect(() => fenToWire(12.5)).toThrow(RangeError);
  });

  it('reads yuan into fen from the decimal text, refusing a third decimal, exponents and non-numbers', () => {
    expect([12.34, 0.1, 0.01, 1, 0, -3.5, 999999999.99].map(wireToFen)).toEqual([
      1234, 10, 1, 100, 0, -350, 99999999999,
    ]);
    // 0.1 + 0.2 is 0.30000000000000004 in binary: not an amount the insurer may send.
    expect([0.1 + 0.2, 1.005, 1e21, Number.NaN, '12.34', null].map(wireToFen)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('writes counts held in thousandths', () => {
    expect([1500, 1000, 125, 1].map(thousandthsToWire)).toEqual([1.5, 1, 0.125, 0.001]);
  });
});

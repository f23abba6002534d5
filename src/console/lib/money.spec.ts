import { formatFen, formatFenOrDash } from './money';

describe(formatFen.name, () => {
  it('writes integer fen as yuan with two decimals and thousands separators', () => {
    expect(formatFen(123456)).toBe('¥1,234.56');
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(70)).toBe('¥0.70');
    expect(formatFen(100)).toBe('¥1.00');
    expect(formatFen(100000)).toBe('¥1,000.00');
    expect(formatFen(99999999)).toBe('¥999,999.99');
    expect(formatFen(123456789012)).toBe('¥1,234,567,890.12');
  });

  it('is exact where a float division would not be', () => {
    // 0.1 + 0.2 in yuan; 1.005 yuan rounds wrongly with toFixed on a float.
    expect(formatFen(10 + 20)).toBe('¥0.30');
    expect(formatFen(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91');
  });

  it('puts the sign before the currency', () => {
    expect(formatFen(-1230)).toBe('-¥12.30');
    expect(formatFen(-5)).toBe('-¥0.05');
  });

  it('refuses anything that is not an integer number of fen', () => {
    expect(() => formatFen(12.5)).toThrow(RangeError);
    expect(() => formatFen(Number.NaN)).toThrow(RangeError);
    expect(() => formatFen(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('shows an amount not known yet as a dash', () => {
    expect(formatFenOrDash(null)).toBe('—');
    expect(formatFenOrDash(undefined)).toBe('—');
    expect(formatFenOrDash(2000)).toBe('¥20.00');
  });
});

import { boxesForCount, isCount, isIsoDay, lineAmountFen, parseCount, sumFen } from './money';

describe('money and counts', () => {
  it('parses decimal counts to thousandths, refusing malformed, zero and over-precise ones', () => {
    expect(parseCount('2')).toBe(2000);
    expect(parseCount('0.5')).toBe(500);
    expect(parseCount('1.25')).toBe(1250);
    expect(parseCount('0.001')).toBe(1);
    for (const bad of ['0', '0.000', '-1', '1.2345', '1e3', '.5', '1.', ' 1', '', 'abc', '1,5']) {
      expect(parseCount(bad)).toBeUndefined();
    }
  });

  it('rounds count × price half up to the fen, exactly, even for large figures', () => {
    expect(lineAmountFen(2000, 1234)).toBe(2468);
    expect(lineAmountFen(1500, 333)).toBe(500); // 499.5 → 500
    expect(lineAmountFen(1500, 331)).toBe(497); // 496.5 → 497
    expect(lineAmountFen(1250, 333)).toBe(416); // 416.25 → 416
    expect(lineAmountFen(1, 499)).toBe(0); // 0.499 → 0
    expect(lineAmountFen(1, 500)).toBe(1); // 0.5 → 1
    // 999999.999 × 9999999 fen = 9999998990000.001: the product (about 1e16) is past 2^53
    expect(lineAmountFen(999_999_999, 9_999_999)).toBe(9_999_998_990_000);
  });

  it('counts boxes by rounding the count up', () => {
    expect(boxesForCount(3000)).toBe(3);
    expect(boxesForCount(500)).toBe(1);
    expect(boxesForCount(1500)).toBe(2);
    expect(boxesForCount(2001)).toBe(3);
  });

  it('checks integers and days', () => {
    expect(isCount(0)).toBe(true);
    expect(isCount(-1)).toBe(false);
    expect(isCount(1.5)).toBe(false);
    expect(isCount(Number.NaN)).toBe(false);
    expect(isIsoDay('2026-02-28')).toBe(true);
    expect(isIsoDay('2026-02-29')).toBe(false);
    expect(isIsoDay('2026/02/28')).toBe(false);
    expect(sumFen([1, 2, 3])).toBe(6);
  });
});

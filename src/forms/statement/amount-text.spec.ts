import { amountInWords, formatFen } from './amount-text';

describe('formatFen', () => {
  it('prints integer fen as yuan with two decimals, by integer arithmetic', () => {
    expect(formatFen(0)).toBe('0.00');
    expect(formatFen(5)).toBe('0.05');
    expect(formatFen(50)).toBe('0.50');
    expect(formatFen(1234)).toBe('12.34');
    expect(formatFen(100)).toBe('1.00');
    expect(formatFen(-1234)).toBe('-12.34');
    expect(formatFen(-5)).toBe('-0.05');
    // 0.1 + 0.2 style errors cannot happen: amounts that are awkward in binary floating point stay exact.
    expect(formatFen(10 + 20)).toBe('0.30');
    expect(formatFen(123456789012)).toBe('1234567890.12');
    expect(formatFen(Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
  });

  it('refuses what is not an integer number of fen', () => {
    expect(() => formatFen(12.5)).toThrow(RangeError);
    expect(() => formatFen(Number.NaN)).toThrow(RangeError);
    expect(() => formatFen(2 ** 53)).toThrow(RangeError);
  });
});

describe('amountInWords (人民币大写)', () => {
  const cases: [number, string][] = [
    // zero, and less than a yuan
    [0, '零元整'],
    [1, '壹分'],
    [50, '伍角'],
    [53, '伍角叁分'],
    [5, '伍分'],
    // whole yuan: 整
    [100, '壹元整'],
    [1000, '壹拾元整'],
    [12300, '壹佰贰拾叁元整'],
    [1000000, '壹万元整'],
    [10000000000, '壹亿元整'],
    // the example of the task
    [12345, '壹佰贰拾叁元肆角伍分'],
    // the examples of 正确填写票据和结算凭证的基本规定
    [140950, '壹仟肆佰零玖元伍角'],
    [600714, '陆仟零柒元壹角肆分'],
    [168032, '壹仟陆佰捌拾元零叁角贰分'],
    [10700053, '壹拾万柒仟元零伍角叁分'],
    [1640902, '壹万陆仟肆佰零玖元零贰分'],
    [32504, '叁佰贰拾伍元零肆分'],
    // 零 rules inside the number
    [10100, '壹佰零壹元整'],
    [100100, '壹仟零壹元整'],
    [1000100, '壹万零壹元整'],
    [10050000, '壹拾万零伍佰元整'],
    [10000000100, '壹亿零壹元整'],
    [10001000000, '壹亿零壹万元整'],
    [11000000000, '壹亿壹仟万元整'],
    [1020, '壹拾元零贰角'],
    [1002, '壹拾元零贰分'],
    [101, '壹元零壹分'],
    [110, '壹元壹角'],
    // large amounts
    [99999999999, '玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分'],
    [123456789012, '壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元零壹角贰分'],
    [Number.MAX_SAFE_INTEGER, '玖拾万亿零柒佰壹拾玖亿玖仟贰佰伍拾肆万柒仟肆佰零玖元玖角壹分'],
  ];
  it.each(cases)('%d fen → %s', (fen, words) => {
    expect(amountInWords(fen)).toBe(words);
  });

  it('refuses negative and fractional fen', () => {
    expect(() => amountInWords(-1)).toThrow(RangeError);
    expect(() => amountInWords(0.5)).toThrow(RangeError);
  });
});

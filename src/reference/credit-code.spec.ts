import fc from 'fast-check';

import { CREDIT_CODE_ALPHABET, CREDIT_CODE_WEIGHTS, checkCreditCode, computeCreditCodeCheckChar } from './credit-code';

const alphabetChar = fc.constantFrom(...CREDIT_CODE_ALPHABET.split(''));
const first17 = fc.string({ unit: alphabetChar, minLength: 17, maxLength: 17 });

describe(checkCreditCode.name, () => {
  it('uses the weights 3^i mod 31 tabulated by GB 32100', () => {
    expect(CREDIT_CODE_WEIGHTS).toEqual([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]);
  });

  it.each([
    '12640100454040971K', // 银川市第一人民医院
    '1264010045404098XB', // 银川市第二人民医院
    '126401004540409473', // 银川市妇幼保健院 (numeric check character)
    '91640100MABX3E909Y', // 银川国龙骨科医院
    '52640000MJX1682324', // 宁夏宝石花医院
    '92640302MA75XNUX8G', // 吴忠市张氏正骨医院有限公司
    '91640100MAE1L7JQ0A', // 宁夏康悦康复辅具服务有限责任公司 (check character 0)
    'A1100000MK0056736E', // 武警宁夏总队医院
  ])('accepts %s from the seed', (code) => {
    expect(checkCreditCode(code)).toEqual({ valid: true });
  });

  it('ignores surrounding whitespace', () => {
    expect(checkCreditCode(' 12640000454500093H \t')).toEqual({ valid: true });
  });

  it('reports a checksum failure with the expected check character', () => {
    // 宁夏回族自治区工人疗养院 as printed in 附件5; the computed check character is K.
    expect(checkCreditCode('12640000454003273X')).toEqual({ valid: false, reason: 'checksum', expectedCheck: 'K' });
  });

  it.each([
    ['too short', '12640100454040971'],
    ['too long', '12640100454040971KK'],
    ['empty', ''],
    ['a slash', 'A1100000MK0054/7650'],
    ['inner space', '126401004540 40971K'],
    ['letter I', '1264010045404I971K'],
    ['letter O', '1264010045404O971K'],
    ['letter Z', '1264010045404Z971K'],
    ['letter S', '1264010045404S971K'],
    ['letter V', '1264010045404V971K'],
    ['lower case', '12640100454040971k'],
    ['full-width digit', '１2640100454040971K'],
  ])('reports %s as malformed', (_label, code) => {
    expect(checkCreditCode(code)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('accepts any 17 alphabet characters followed by their computed check character', () => {
    fc.assert(
      fc.property(first17, (body) => {
        const check = computeCreditCodeCheckChar(body);
        expect(check).not.toBeNull();
        expect(checkCreditCode(`${body}${check ?? ''}`)).toEqual({ valid: true });
      }),
    );
  });

  it('rejects a valid code in which any one character is changed', () => {
    const validCode = first17.map((body) => `${body}${computeCreditCodeCheckChar(body) ?? ''}`);
    fc.assert(
      fc.property(validCode, fc.nat(17), alphabetChar, (code, position, replacement) => {
        fc.pre(code[position] !== replacement);
        const changed = `${code.slice(0, position)}${replacement}${code.slice(position + 1)}`;
        expect(checkCreditCode(changed).valid).toBe(false);
      }),
    );
  });
});

describe(computeCreditCodeCheckChar.name, () => {
  it('computes the check character of a seed code', () => {
    expect(computeCreditCodeCheckChar('12640000454003273')).toBe('K');
  });

  it('returns null for input that is not 17 alphabet characters', () => {
    expect(computeCreditCodeCheckChar('1264000045400327')).toBeNull();
    expect(computeCreditCodeCheckChar('1264000045400327I')).toBeNull();
  });
});

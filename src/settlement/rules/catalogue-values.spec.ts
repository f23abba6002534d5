import { codeFitsKind, isHisCode, normaliseDate, normaliseMedListCode, parseKind } from './catalogue-values';

describe('catalogue values', () => {
  it('reads kinds in Chinese, English and as national list_type codes', () => {
    expect(['药品', '西药中成药', '中药饮片', 'Drug', '101'].map(parseKind)).toEqual(Array(5).fill('drug'));
    expect(['诊疗项目', '医疗服务项目', 'service', '201'].map(parseKind)).toEqual(Array(4).fill('service'));
    expect(['医用耗材', '材料', ' Material ', '301'].map(parseKind)).toEqual(Array(4).fill('material'));
    expect(['药材', '', '999'].map(parseKind)).toEqual([undefined, undefined, undefined]);
  });

  it('checks HIS codes and insurer codes (upper-cased), refusing Excel scientific notation', () => {
    expect(['YP000123', 'a-1_2.3/4', '0'].map(isHisCode)).toEqual([true, true, true]);
    expect(['', ' x', '1.1E+14', '项目1', 'x'.repeat(51)].map(isHisCode)).toEqual([false, false, false, false, false]);
    expect(normaliseMedListCode('xj01caa040a001010100001')).toBe('XJ01CAA040A001010100001');
    expect(normaliseMedListCode('001201000010000-12010000101')).toBe('001201000010000-12010000101');
    expect(['1.10200001E+14', 'ABC', 'X J01', '-XJ01C'].map(normaliseMedListCode)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('tells whether a code looks like its kind', () => {
    expect(codeFitsKind('XJ01CAA040A001010100001', 'drug')).toBe(true);
    expect(codeFitsKind('T000100001', 'drug')).toBe(true);
    expect(codeFitsKind('C01010101001000000000', 'material')).toBe(true);
    expect(codeFitsKind('001102000010000', 'service')).toBe(true);
    expect(codeFitsKind('001102000010000', 'drug')).toBe(false);
    expect(codeFitsKind('XJ01CAA040A001010100001', 'material')).toBe(false);
  });

  it('normalises dates to YYYY-MM-DD and refuses impossible ones', () => {
    expect(['2026-01-05', '2026/1/5', '2026.01.05', '20260105', '2026-01-05 00:00:00'].map(normaliseDate)).toEqual(
      Array(5).fill('2026-01-05'),
    );
    expect(['2026-02-30', '2026-13-01', '05/01/2026', 'soon'].map(normaliseDate)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

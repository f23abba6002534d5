import type { FeeLine } from './pre-audit-input';
import { duplicateFinding, duplicateLineIds, integrityFindings, lineDataProblems } from './line-integrity-rules';

const line: FeeLine = {
  lineId: '1',
  hisItemCode: 'YP0001',
  itemName: '布洛芬缓释胶囊',
  kind: 'drug',
  count: '2',
  unitPriceFen: 1234,
  amountFen: 2468,
  serviceDate: '2026-03-10',
  injuryRelated: true,
  daysOfSupply: 7,
  supplyStatementPresent: false,
  selfPayConsentFormId: null,
};
const codes = (fs: readonly { code: string }[]) => fs.map((f) => f.code);

describe('line integrity rules', () => {
  it('accepts a sound line', () => {
    expect(lineDataProblems(line)).toEqual([]);
    expect(integrityFindings(line, '2026-03-10')).toEqual([]);
  });

  it('refuses an amount that is not count × price rounded half up to the fen', () => {
    expect(codes(integrityFindings({ ...line, amountFen: 2467 }, '2026-03-10'))).toEqual(['AMOUNT_MISMATCH']);
    // 1.5 × 3.33 = 4.995 → 5.00 (half up); 4.99 is refused, 5.00 accepted
    const split = { ...line, count: '1.5', unitPriceFen: 333 };
    expect(integrityFindings({ ...split, amountFen: 500 }, '2026-03-10')).toEqual([]);
    const [f] = integrityFindings({ ...split, amountFen: 499 }, '2026-03-10');
    expect(f).toMatchObject({ code: 'AMOUNT_MISMATCH', severity: 'refuse', lineId: '1' });
    expect(f.message).toContain('4.99元 不等于数量 1.5 × 单价 3.33元 = 5.00元（四舍五入到分）');
  });

  it('refuses malformed fields, one finding naming every problem', () => {
    const bad = { ...line, count: '1.2345', unitPriceFen: 12.5, amountFen: -1, serviceDate: '2026-13-01' };
    const found = integrityFindings(bad, '2026-03-10');
    expect(codes(found)).toEqual(['LINE_DATA_INVALID']);
    expect(found[0].message).toMatch(/数量 1.2345.*单价 12.5.*金额 -1.*费用日期 2026-13-01/);
    expect(lineDataProblems({ ...line, daysOfSupply: -3 })).toHaveLength(1);
    expect(lineDataProblems({ ...line, lineId: ' ', hisItemCode: '' })).toHaveLength(2);
    expect(lineDataProblems({ ...line, kind: 'food' as FeeLine['kind'] })).toHaveLength(1);
  });

  it('refuses a service dated before the visit', () => {
    expect(codes(integrityFindings({ ...line, serviceDate: '2026-03-09' }, '2026-03-10'))).toEqual([
      'LINE_BEFORE_VISIT',
    ]);
    expect(integrityFindings({ ...line, serviceDate: '2026-03-12' }, '2026-03-10')).toEqual([]);
  });

  it('refuses every line whose id another line also uses', () => {
    const dups = duplicateLineIds([{ lineId: '1' }, { lineId: '2' }, { lineId: '1' }]);
    expect([...dups]).toEqual([['1', 2]]);
    expect(duplicateFinding({ lineId: '1' }, dups)).toEqual([
      expect.objectContaining({ code: 'DUPLICATE_LINE_ID', severity: 'refuse', lineId: '1' }),
    ]);
    expect(duplicateFinding({ lineId: '2' }, dups)).toEqual([]);
  });
});

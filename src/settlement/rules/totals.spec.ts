import type { Finding } from './findings';
import type { LineAudit } from './pre-audit-result';
import { dispositionOf } from './pre-audit-result';
import { hisTotalFindings, totalsOf } from './totals';

const loss: Finding = { code: 'SELF_PAY_NOT_CONSENTED', severity: 'hospitalLoss', lineId: '3', message: '' };
const audit = (lineId: string, disposition: LineAudit['disposition'], amountFen: number, findings: Finding[] = []) => ({
  lineId,
  index: Number(lineId),
  disposition,
  amountFen,
  insurerCode: null,
  findings,
});
const lines: LineAudit[] = [
  audit('1', 'fund', 1000),
  audit('2', 'selfPay', 300),
  audit('3', 'selfPay', 200, [loss]),
  audit('4', 'refused', 50),
];

describe('totals', () => {
  it('sums line amounts by disposition; the hospital loss is part of self-pay', () => {
    expect(totalsOf(lines)).toEqual({
      lineSumFen: 1550,
      fundFen: 1000,
      selfPayFen: 500,
      refusedFen: 50,
      hospitalLossFen: 200,
    });
  });

  it('refuses a HIS total that differs from the lines by even one fen', () => {
    const totals = totalsOf(lines);
    expect(hisTotalFindings({ totalFen: 1550 }, lines, totals)).toEqual([]);
    const [f] = hisTotalFindings({ totalFen: 1551 }, lines, totals);
    expect(f).toMatchObject({ code: 'HIS_TOTAL_MISMATCH', severity: 'refuse', lineId: null });
    expect(f.message).toContain('15.51元 与明细合计 15.50元 不符（相差 0.01元）');
  });

  it('refuses a HIS total that is not integer fen', () => {
    expect(hisTotalFindings({ totalFen: 15.5 }, lines, totalsOf(lines))).toEqual([
      expect.objectContaining({ code: 'VISIT_DATA_INVALID', severity: 'refuse' }),
    ]);
  });

  it('warns when HIS split the visit otherwise, once every line could be judged', () => {
    const judged = lines.slice(0, 3);
    const totals = totalsOf(judged);
    expect(hisTotalFindings({ totalFen: 1500, fundFen: 1000, selfPayFen: 500 }, judged, totals)).toEqual([]);
    expect(hisTotalFindings({ totalFen: 1500, fundFen: 1200, selfPayFen: 300 }, judged, totals)).toEqual([
      expect.objectContaining({ code: 'HIS_SPLIT_DIFFERS', severity: 'warn' }),
    ]);
    expect(hisTotalFindings({ totalFen: 1500 }, judged, totals)).toEqual([]);
    expect(hisTotalFindings({ totalFen: 1550, fundFen: 0, selfPayFen: 0 }, lines, totalsOf(lines))).toEqual([]);
  });

  it('moves a line by its worst finding: refuse, then self-pay; warn and hospital loss do not move it', () => {
    const f = (severity: Finding['severity']) => ({ severity });
    expect(dispositionOf([])).toBe('fund');
    expect(dispositionOf([f('warn')])).toBe('fund');
    expect(dispositionOf([f('hospitalLoss')])).toBe('fund');
    expect(dispositionOf([f('selfPay'), f('hospitalLoss')])).toBe('selfPay');
    expect(dispositionOf([f('selfPay'), f('refuse'), f('warn')])).toBe('refused');
  });
});

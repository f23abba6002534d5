import { statementSample } from '../../../test/support/statement-samples';
import type { SettlementStatementData } from './settlement-statement-data';
import { beijingTime, checkStatementData, maskIdNumber, statementValues } from './statement-values';

const fieldsOf = (data: SettlementStatementData): string[] => checkStatementData(data).map((d) => d.field!);

describe('statement values', () => {
  it('masks the ID number as receipts do: first 6, last 4, the length kept', () => {
    expect(maskIdNumber('640104198503120319')).toBe('640104********0319');
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
    expect(maskIdNumber('640104850312031')).toBe('640104*****2031');
    expect(maskIdNumber('12345')).toBe('*****');
  });

  it('prints instants in Beijing time', () => {
    expect(beijingTime(new Date('2026-03-20T02:15:30Z'))).toBe('2026-03-20 10:15:30');
    expect(beijingTime(new Date('2026-03-20T16:00:00Z'))).toBe('2026-03-21 00:00:00');
  });

  it('a sample that adds up has no problems; its values are yuan text, the masked ID, the words', () => {
    const data = statementSample(30);
    expect(checkStatementData(data)).toEqual([]);
    const { values, flags } = statementValues(data);
    expect(flags).toEqual([]);
    expect(values.idNumberMasked).toBe('640104********0319');
    expect(JSON.stringify(values)).not.toContain('640104198503120319');
    expect(values.visitKind).toBe('住院');
    expect(values.visitDates).toBe('2026-03-05 至 2026-03-20（住院 15 天）');
    expect(values.settledAt).toBe('2026-03-20 10:15:30');
    // 30 lines: line 10 is borne by the hospital (37.00), line 25 is outside the catalogue (386.50).
    expect(values.selfPay).toBe('423.50');
    expect(values.hospitalLoss).toBe('37.00');
    expect(values.workerPays).toBe('386.50');
    expect(values.workerPaysInWords).toBe('叁佰捌拾陆元伍角');
    const lines = values.lines as Record<string, string>[];
    expect(lines[9]).toMatchObject({ selfPay: '37.00', fund: '0.00', selfPayReason: '未签自费告知书，医院承担' });
    expect(lines[24]).toMatchObject({ insurerCode: '', kind: '材料', unitPrice: '386.50' });
    expect(lines[2]).toMatchObject({ count: '0.5', unitPrice: '15.33', amount: '7.67' });
  });

  it('no hospital loss: its line is left out; provisional: the flag', () => {
    const data = statementSample(5, { status: 'provisional' });
    const { values, flags } = statementValues(data);
    expect(values.hospitalLoss).toBe('');
    expect(values.workerPays).toBe('0.00');
    expect(values.workerPaysInWords).toBe('零元整');
    expect(flags).toEqual(['provisional']);
  });

  it('an outpatient visit shows its one day', () => {
    const data = statementSample(3);
    data.visit = { kind: 'outpatient', visitId: 'MZ1', visitDate: '2026-03-05', diagnosis: 'S62.600 骨折' };
    expect(statementValues(data).values).toMatchObject({ visitKind: '门诊', visitDates: '2026-03-05' });
  });

  it('totals that are not the sums of the lines are refused, each named', () => {
    const data = statementSample(30);
    data.totals = { ...data.totals, fundFen: data.totals.fundFen + 1, hospitalLossFen: 0 };
    const problems = checkStatementData(data);
    expect(problems.map((d) => d.field)).toEqual(['totals.fundFen', 'totals.hospitalLossFen']);
    expect(problems[0]).toMatchObject({ code: 'STATEMENT_DATA_INVALID' });
    expect(problems[0].message).toMatch(/工伤保险基金支付 \d+\.\d{2} 不等于明细合计 \d+\.\d{2}/);
  });

  it('a line whose parts do not make its amount, fractional fen, hospital loss without self-pay are refused', () => {
    const data = statementSample(3);
    data.lines[0] = { ...data.lines[0], fundFen: data.lines[0].fundFen - 1 };
    data.lines[1] = { ...data.lines[1], unitPriceFen: 3.5 };
    data.lines[2] = { ...data.lines[2], hospitalBears: true, count: '1.2345' };
    expect(fieldsOf(data)).toEqual([
      'lines[0].selfPayFen',
      'lines[1].unitPriceFen',
      'lines[2].count',
      'lines[2].hospitalBears',
      'totals.fundFen',
    ]);
  });

  it('missing texts, a bad ID number, dates and no lines are refused', () => {
    const data = statementSample(1, { statementNo: ' ', operator: '', lines: [] });
    data.worker = { ...data.worker, idNumber: '6401041985', sex: 'M' as '男' };
    data.visit = { ...data.visit, kind: 'inpatient', admissionDate: '2026-03-20', dischargeDate: '2026-03-05' };
    expect(fieldsOf(data)).toEqual([
      'statementNo',
      'operator',
      'worker.sex',
      'worker.idNumber',
      'visit.dischargeDate',
      'lines',
    ]);
  });
});

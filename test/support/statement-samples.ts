import type { SettlementStatementData, StatementLine } from '../../src/forms/statement/settlement-statement-data';

/** Believable fee lines of a hand-surgery stay, cycled to any length (amounts = count × price). */
const ITEMS: Omit<StatementLine, 'amountFen' | 'fundFen' | 'selfPayFen'>[] = [
  {
    itemName: '注射用头孢呋辛钠',
    insurerCode: 'XJ01DCC032B001010101445',
    kind: 'drug',
    count: '2',
    unitPriceFen: 1850,
  },
  {
    itemName: '0.9%氯化钠注射液（250ml）',
    insurerCode: 'XB05XAA030B002010101123',
    kind: 'drug',
    count: '1',
    unitPriceFen: 362,
  },
  {
    itemName: '布洛芬缓释胶囊',
    insurerCode: 'XM01AEB017E001010100421',
    kind: 'drug',
    count: '0.5',
    unitPriceFen: 1533,
  },
  { itemName: '换药（中）', insurerCode: '120400002', kind: 'service', count: '1', unitPriceFen: 2000 },
  { itemName: '一级护理', insurerCode: '120100003', kind: 'service', count: '1', unitPriceFen: 2800 },
  { itemName: '普通病房床位费', insurerCode: '110900001', kind: 'service', count: '1', unitPriceFen: 4500 },
  { itemName: '手部X线摄影（DR）', insurerCode: '210102015', kind: 'service', count: '1', unitPriceFen: 9000 },
  { itemName: '一次性使用无菌注射器', insurerCode: 'C14020101', kind: 'material', count: '3', unitPriceFen: 65 },
  { itemName: '医用脱脂纱布', insurerCode: 'C02030401', kind: 'material', count: '2', unitPriceFen: 480 },
];

/** A self-pay line outside the catalogue, with the worker's signed notice. */
const OUTSIDE: Omit<StatementLine, 'amountFen' | 'fundFen' | 'selfPayFen'> = {
  itemName: '进口可吸收缝合线',
  insurerCode: null,
  kind: 'material',
  count: '1',
  unitPriceFen: 38650,
  selfPayReason: '工伤保险目录外项目',
};

function priced(line: Omit<StatementLine, 'amountFen' | 'fundFen' | 'selfPayFen'>, selfPay: boolean): StatementLine {
  const [whole, frac = ''] = line.count.split('.');
  const thousandths = Number(whole) * 1000 + Number(frac.padEnd(3, '0'));
  const amountFen = Math.floor((thousandths * line.unitPriceFen + 500) / 1000);
  return { ...line, amountFen, fundFen: selfPay ? 0 : amountFen, selfPayFen: selfPay ? amountFen : 0 };
}

/**
 * A statement of `count` lines: every 25th is outside the catalogue (self-pay, signed notice), the
 * 10th is self-pay without a signed notice (the hospital bears it); totals are the lines' sums.
 */
export function statementSample(count = 12, overrides: Partial<SettlementStatementData> = {}): SettlementStatementData {
  const lines: StatementLine[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 25 === 24) {
      lines.push(priced(OUTSIDE, true));
    } else if (i === 9) {
      lines.push({
        ...priced({ ...ITEMS[i % ITEMS.length], selfPayReason: '未签自费告知书' }, true),
        hospitalBears: true,
      });
    } else {
      lines.push(priced(ITEMS[i % ITEMS.length], false));
    }
  }
  const sum = (pick: (l: StatementLine) => number): number => lines.reduce((s, l) => s + pick(l), 0);
  return {
    status: 'final',
    statementNo: 'S640104202603200001',
    hospital: { name: '宁夏医科大学总医院', code: 'H64010400012' },
    visit: {
      kind: 'inpatient',
      visitId: 'ZY20260305001',
      admissionDate: '2026-03-05',
      dischargeDate: '2026-03-20',
      department: '手外科',
      diagnosis: 'S62.600 右手示指近节指骨骨折',
    },
    worker: {
      name: '马建国',
      sex: '男',
      idNumber: '640104198503120319',
      psnNo: '6401040000102318',
      employer: '宁夏银川建工集团有限公司',
      determinationNo: '宁人社工认〔2024〕0187号',
    },
    lines,
    totals: {
      medicalFeeFen: sum((l) => l.amountFen),
      fundFen: sum((l) => l.fundFen),
      selfPayFen: sum((l) => l.selfPayFen),
      hospitalLossFen: sum((l) => (l.hospitalBears ? l.selfPayFen : 0)),
    },
    settledAt: new Date('2026-03-20T02:15:30Z'),
    operator: '王丽（0107）',
    ...overrides,
  };
}

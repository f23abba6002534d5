import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINDING_MESSAGES as M } from './finding-messages';
import { FINDING_CODES, FINDING_RULES, yuan, type FindingCode } from './findings';

const L = { lineId: '{行号}', itemName: '{项目名称}' };

/** Every code's message as docs/settlement-rules.md shows it: {…} placeholders, example figures. */
const DOCUMENTED_MESSAGES: Record<FindingCode, string> = {
  VISIT_DATA_INVALID: M.visitDataInvalid('{问题}'),
  PERSON_NOT_VERIFIED: M.personNotVerified(),
  NO_FEE_LINES: M.noFeeLines(),
  NO_DETERMINATION: `${M.noDetermination()}<br>${M.conversionNoDetermination()}`,
  DETERMINATION_PENDING: `${M.determinationPending()}<br>${M.conversionDeterminationPending()}`,
  VISIT_BEFORE_INJURY: M.visitBeforeInjury('{就诊日期}', '{受伤日期}'),
  NOT_SIGNED_HERE: M.notSignedHere(),
  CROSS_PROVINCE_NO_FILING: M.crossProvinceNoFiling(),
  CROSS_PROVINCE_FILING_NOT_VALID: M.crossProvinceFilingNotValid('{就诊日期}', '{起}', '{止}'),
  HIS_TOTAL_MISMATCH: M.hisTotalMismatch(12001, 12000),
  HIS_SPLIT_DIFFERS: M.hisSplitDiffers('100.00元', '20.00元', 9000, 3000),
  CONVERSION_AFTER_DETERMINATION: M.conversionAfterDetermination('{就诊日期}', '{认定日期}'),
  CONVERSION_RECEIPTS_MISMATCH: M.conversionReceiptsMismatch(30000, 32000),
  LINE_DATA_INVALID: M.lineDataInvalid(L, ['{问题1}', '{问题2}']),
  DUPLICATE_LINE_ID: M.duplicateLineId('{行号}', 2),
  AMOUNT_MISMATCH: M.amountMismatch(L, '1.5', 333, 499, 500),
  LINE_BEFORE_VISIT: M.lineBeforeVisit(L, '{费用日期}', '{就诊日期}'),
  CONVERSION_LINE_BEFORE_INJURY: M.conversionLineBeforeInjury(L, '{费用日期}', '{受伤日期}'),
  NOT_INJURY_RELATED: M.notInjuryRelated(L),
  AFTER_DISCHARGE_NOTICE: M.afterDischargeNotice(L, '{费用日期}', '{通知日期}'),
  ITEM_NOT_MAPPED: M.itemNotMapped(L, '{院内编码}'),
  ITEM_OUTSIDE_CATALOGUE: M.itemOutsideCatalogue(L),
  SELF_PAY_NOT_CONSENTED: `${M.selfPayNotConsented(L, null)}<br>${M.selfPayNotConsented(L, '{确认书编号}')}`,
  TRACE_CODES_MISSING: `${M.traceCodesMissing(L, 1, 2, false)}<br>${M.traceCodesMissing(L, 1, 2, true)}`,
  TRACE_CODES_EXCESS: M.traceCodesExcess(L, 3, 2),
  SUPPLY_OVER_MAX: M.supplyOverMax(L, 120, 90),
  SUPPLY_STATEMENT_MISSING: M.supplyStatementMissing(L, 30, 7),
};

function docRow(code: FindingCode): string {
  const r = FINDING_RULES[code];
  const severity = code === 'TRACE_CODES_MISSING' ? 'refuse (warn by policy)' : r.severity;
  return `| \`${code}\` | ${r.scope} | ${severity} | ${r.requirement} | ${r.source} | ${DOCUMENTED_MESSAGES[code]} |`;
}

describe('finding catalogue', () => {
  it('codes are stable UPPER_SNAKE English', () => {
    for (const code of FINDING_CODES) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
    }
  });

  it('docs/settlement-rules.md lists every code with its scope, severity, rule and message', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/settlement-rules.md'), 'utf8');
    const missing = FINDING_CODES.map(docRow).filter((row) => !doc.includes(row));
    if (process.env.PRINT_FINDING_ROWS) {
      process.stdout.write(`${FINDING_CODES.map(docRow).join('\n')}\n`);
    }
    expect(missing).toEqual([]);
  });

  it('shows fen as yuan', () => {
    expect(yuan(0)).toBe('0.00元');
    expect(yuan(5)).toBe('0.05元');
    expect(yuan(123456)).toBe('1234.56元');
    expect(yuan(-1)).toBe('-0.01元');
  });
});

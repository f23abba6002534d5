import { FINDING_MESSAGES as M } from './finding-messages';
import { finding, type Finding } from './findings';
import { isCount, isIsoDay, lineAmountFen, parseCount } from './money';
import type { FeeLine } from './pre-audit-input';

/**
 * Is the line's data sound enough to settle? Malformed fields, an amount that is not count × price,
 * a line id used twice, a date before the visit: each refuses the line (the insurer would refuse the
 * whole message). Pure.
 */

const KINDS: readonly string[] = ['drug', 'service', 'material'];

/** What is malformed on a line, in Chinese; empty when every field is usable. */
export function lineDataProblems(line: FeeLine): string[] {
  const problems: string[] = [];
  if (!line.lineId.trim()) {
    problems.push('缺少明细编号');
  }
  if (!line.hisItemCode.trim()) {
    problems.push('缺少院内项目编码');
  }
  if (!KINDS.includes(line.kind)) {
    problems.push(`费用类别 ${String(line.kind)} 无效`);
  }
  if (parseCount(line.count) === undefined) {
    problems.push(`数量 ${line.count} 须大于0，最多3位小数`);
  }
  if (!isCount(line.unitPriceFen)) {
    problems.push(`单价 ${String(line.unitPriceFen)} 须为非负整数（分）`);
  }
  if (!isCount(line.amountFen)) {
    problems.push(`金额 ${String(line.amountFen)} 须为非负整数（分）`);
  }
  if (!isIsoDay(line.serviceDate)) {
    problems.push(`费用日期 ${line.serviceDate} 不是有效日期`);
  }
  if (line.daysOfSupply !== null && !isCount(line.daysOfSupply)) {
    problems.push(`用药天数 ${String(line.daysOfSupply)} 须为非负整数`);
  }
  return problems;
}

/**
 * LINE_DATA_INVALID, else AMOUNT_MISMATCH (amount ≠ count × unit price rounded half up to the fen)
 * and LINE_BEFORE_VISIT (a service dated before the visit or admission).
 */
export function integrityFindings(line: FeeLine, visitStart: string): Finding[] {
  const problems = lineDataProblems(line);
  if (problems.length > 0) {
    return [finding('LINE_DATA_INVALID', line.lineId, M.lineDataInvalid(line, problems))];
  }
  const out: Finding[] = [];
  const expected = lineAmountFen(parseCount(line.count) ?? 0, line.unitPriceFen);
  if (expected !== line.amountFen) {
    out.push(
      finding(
        'AMOUNT_MISMATCH',
        line.lineId,
        M.amountMismatch(line, line.count, line.unitPriceFen, line.amountFen, expected),
      ),
    );
  }
  if (isIsoDay(visitStart) && line.serviceDate < visitStart) {
    out.push(finding('LINE_BEFORE_VISIT', line.lineId, M.lineBeforeVisit(line, line.serviceDate, visitStart)));
  }
  return out;
}

/** Line ids used more than once, with how many times. */
export function duplicateLineIds(lines: readonly Pick<FeeLine, 'lineId'>[]): Map<string, number> {
  const times = new Map<string, number>();
  for (const l of lines) {
    times.set(l.lineId, (times.get(l.lineId) ?? 0) + 1);
  }
  return new Map([...times].filter(([, n]) => n > 1));
}

/** DUPLICATE_LINE_ID for a line whose id another line of the visit also uses. */
export function duplicateFinding(line: Pick<FeeLine, 'lineId'>, duplicates: ReadonlyMap<string, number>): Finding[] {
  const times = duplicates.get(line.lineId);
  return times === undefined ? [] : [finding('DUPLICATE_LINE_ID', line.lineId, M.duplicateLineId(line.lineId, times))];
}

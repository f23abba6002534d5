import { beijingDateTime, type ErrorDetail } from '../../platform';
import { FORM_ERRORS } from '../forms.errors';
import type { FormTableRow, FormValues } from '../render/form-values';
import { amountInWords, formatFen } from './amount-text';
import {
  type SettlementStatementData,
  type StatementLine,
  type StatementLineKind,
  workerPaysFen,
} from './settlement-statement-data';

/**
 * From SettlementStatementData to what templates/settlement-statement.json shows: the checks that
 * the data adds up, the values (yuan text, masked ID number, Beijing time, amount in words) and
 * where each template field comes from in the data (for error details). Pure.
 */

const KIND_TEXT: Record<StatementLineKind, string> = { drug: '药品', service: '诊疗', material: '材料' };
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const COUNT = /^\d{1,9}(\.\d{1,3})?$/;
const ID_NUMBER = /^(\d{17}[\dX]|\d{15})$/;

/**
 * An ID number as Chinese receipts print it: the first 6 (region) and last 4 characters, the
 * middle starred so the length stays visible: 640104********0319 (18), 640104*****0319 (15).
 * The same masking as the gateway's device read-outs.
 */
export function maskIdNumber(idNumber: string): string {
  const id = idNumber.trim();
  return id.length < 10 ? '*'.repeat(id.length) : `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** An instant as Beijing wall-clock time (UTC+8, no daylight saving): '2026-03-20 10:15:00'. */
export function beijingTime(at: Date): string {
  return beijingDateTime(at);
}

function dayNumber(day: string): number | undefined {
  const m = DAY.exec(day);
  if (!m) {
    return undefined;
  }
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t);
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
    ? t / 86_400_000
    : undefined;
}

const isFen = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isText = (s: unknown): s is string => typeof s === 'string' && s.trim() !== '';

/** Every way the data is incomplete or does not add up, one detail each, named by its path in the data. */
export function checkStatementData(data: SettlementStatementData): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const bad = (field: string, message: string): void => {
    out.push(FORM_ERRORS.detail('STATEMENT_DATA_INVALID', { field, message }));
  };
  if (data.status !== 'final' && data.status !== 'provisional') {
    bad('status', '结算单状态必须是 final（经办机构已结算）或 provisional（临时结算单）');
  }
  const texts: [string, unknown][] = [
    ['statementNo', data.statementNo],
    ['hospital.name', data.hospital?.name],
    ['hospital.code', data.hospital?.code],
    ['visit.visitId', data.visit?.visitId],
    ['visit.diagnosis', data.visit?.diagnosis],
    ['worker.name', data.worker?.name],
    ['worker.psnNo', data.worker?.psnNo],
    ['worker.employer', data.worker?.employer],
    ['operator', data.operator],
  ];
  for (const [field, value] of texts) {
    if (!isText(value)) {
      bad(field, '缺少此项');
    }
  }
  if (data.worker?.sex !== '男' && data.worker?.sex !== '女') {
    bad('worker.sex', '性别必须是“男”或“女”');
  }
  if (typeof data.worker?.idNumber !== 'string' || !ID_NUMBER.test(data.worker.idNumber.trim())) {
    bad('worker.idNumber', '身份证号码必须是 18 位（末位可为 X）或 15 位');
  }
  checkVisitDates(data, bad);
  if (!(data.settledAt instanceof Date) || Number.isNaN(data.settledAt.getTime())) {
    bad('settledAt', '结算时间无效');
  }
  if (!Array.isArray(data.lines) || data.lines.length === 0) {
    bad('lines', '至少要有一条费用明细');
    return out;
  }
  data.lines.forEach((line, i) => checkLine(line, `lines[${i}]`, bad));
  checkTotals(data, bad);
  return out;
}

function checkVisitDates(data: SettlementStatementData, bad: (field: string, message: string) => void): void {
  const v = data.visit;
  if (v?.kind === 'outpatient') {
    if (dayNumber(v.visitDate) === undefined) {
      bad('visit.visitDate', '就诊日期必须是 YYYY-MM-DD 格式的有效日期');
    }
  } else if (v?.kind === 'inpatient') {
    const from = dayNumber(v.admissionDate);
    const to = dayNumber(v.dischargeDate);
    if (from === undefined) {
      bad('visit.admissionDate', '入院日期必须是 YYYY-MM-DD 格式的有效日期');
    }
    if (to === undefined) {
      bad('visit.dischargeDate', '出院日期必须是 YYYY-MM-DD 格式的有效日期');
    }
    if (from !== undefined && to !== undefined && to < from) {
      bad('visit.dischargeDate', `出院日期 ${v.dischargeDate} 早于入院日期 ${v.admissionDate}`);
    }
  } else {
    bad('visit.kind', '就诊类别必须是 outpatient（门诊）或 inpatient（住院）');
  }
}

function checkLine(line: StatementLine, at: string, bad: (field: string, message: string) => void): void {
  if (!isText(line.itemName)) {
    bad(`${at}.itemName`, '缺少项目名称');
  }
  if (!(line.kind in KIND_TEXT)) {
    bad(`${at}.kind`, '类别必须是 drug、service 或 material');
  }
  if (typeof line.count !== 'string' || !COUNT.test(line.count)) {
    bad(`${at}.count`, '数量必须是最多三位小数的十进制数');
  }
  const amounts = ['unitPriceFen', 'amountFen', 'fundFen', 'selfPayFen'] as const;
  for (const key of amounts) {
    if (!isFen(line[key])) {
      bad(`${at}.${key}`, '金额必须是非负整数（分）');
    }
  }
  if (amounts.every((key) => isFen(line[key])) && line.fundFen + line.selfPayFen !== line.amountFen) {
    bad(
      `${at}.selfPayFen`,
      `基金支付 ${formatFen(line.fundFen)} + 个人支付 ${formatFen(line.selfPayFen)} 不等于金额 ${formatFen(line.amountFen)}`,
    );
  }
  if (line.hospitalBears && !(isFen(line.selfPayFen) && line.selfPayFen > 0)) {
    bad(`${at}.hospitalBears`, '只有含个人支付部分的明细才能由医院承担');
  }
}

function checkTotals(data: SettlementStatementData, bad: (field: string, message: string) => void): void {
  const lines = data.lines;
  if (!lines.every((l) => isFen(l.amountFen) && isFen(l.fundFen) && isFen(l.selfPayFen))) {
    return; // the lines' own details say what is wrong
  }
  const sum = (pick: (l: StatementLine) => number): number => lines.reduce((s, l) => s + pick(l), 0);
  const expected: [keyof SettlementStatementData['totals'], string, number][] = [
    ['medicalFeeFen', '医疗费总额', sum((l) => l.amountFen)],
    ['fundFen', '工伤保险基金支付', sum((l) => l.fundFen)],
    ['selfPayFen', '个人支付', sum((l) => l.selfPayFen)],
    ['hospitalLossFen', '医院承担', sum((l) => (l.hospitalBears ? l.selfPayFen : 0))],
  ];
  for (const [key, label, want] of expected) {
    const given = data.totals?.[key];
    if (!isFen(given)) {
      bad(`totals.${key}`, '金额必须是非负整数（分）');
    } else if (given !== want) {
      bad(`totals.${key}`, `${label} ${formatFen(given)} 不等于明细合计 ${formatFen(want)}`);
    }
  }
}

function visitFacts(data: SettlementStatementData): { kind: string; dates: string } {
  const v = data.visit;
  if (v.kind === 'outpatient') {
    return { kind: '门诊', dates: v.visitDate };
  }
  const days = dayNumber(v.dischargeDate)! - dayNumber(v.admissionDate)!;
  return { kind: '住院', dates: `${v.admissionDate} 至 ${v.dischargeDate}（住院 ${days} 天）` };
}

function lineRow(line: StatementLine): FormTableRow {
  const reason = line.selfPayReason?.trim() ?? '';
  return {
    itemName: line.itemName.trim(),
    insurerCode: line.insurerCode?.trim() ?? '',
    kind: KIND_TEXT[line.kind],
    count: line.count,
    unitPrice: formatFen(line.unitPriceFen),
    amount: formatFen(line.amountFen),
    fund: formatFen(line.fundFen),
    selfPay: formatFen(line.selfPayFen),
    selfPayReason: line.hospitalBears ? `${reason}${reason ? '，' : ''}医院承担` : reason,
  };
}

/** The template's values and flags for checked data (checkStatementData found nothing). */
export function statementValues(data: SettlementStatementData): { values: FormValues; flags: string[] } {
  const visit = visitFacts(data);
  const t = data.totals;
  const values: FormValues = {
    hospitalName: data.hospital.name.trim(),
    hospitalCode: data.hospital.code.trim(),
    statementNo: data.statementNo.trim(),
    visitId: data.visit.visitId.trim(),
    visitKind: visit.kind,
    visitDates: visit.dates,
    department: data.visit.department?.trim() ?? '',
    diagnosis: data.visit.diagnosis.trim(),
    name: data.worker.name.trim(),
    sex: data.worker.sex,
    idNumberMasked: maskIdNumber(data.worker.idNumber),
    psnNo: data.worker.psnNo.trim(),
    employer: data.worker.employer.trim(),
    determinationNo: data.worker.determinationNo?.trim() ?? '',
    lineCount: String(data.lines.length),
    lines: data.lines.map(lineRow),
    medicalFeeTotal: formatFen(t.medicalFeeFen),
    fundPays: formatFen(t.fundFen),
    selfPay: formatFen(t.selfPayFen),
    hospitalLoss: t.hospitalLossFen > 0 ? formatFen(t.hospitalLossFen) : '',
    workerPays: formatFen(workerPaysFen(t)),
    workerPaysInWords: amountInWords(workerPaysFen(t)),
    settledAt: beijingTime(data.settledAt),
    operator: data.operator.trim(),
  };
  return { values, flags: data.status === 'provisional' ? ['provisional'] : [] };
}

/** Where a template field's value comes from in SettlementStatementData, for error details. */
const FIELD_PATHS: Record<string, string> = {
  hospitalName: 'hospital.name',
  hospitalCode: 'hospital.code',
  visitId: 'visit.visitId',
  department: 'visit.department',
  diagnosis: 'visit.diagnosis',
  name: 'worker.name',
  idNumberMasked: 'worker.idNumber',
  psnNo: 'worker.psnNo',
  employer: 'worker.employer',
  determinationNo: 'worker.determinationNo',
};

/** `name` → `worker.name`, `lines[3].itemName` stays; unknown keys (template, footer) stay as they are. */
export function dataPathOf(templateField: string): string {
  return FIELD_PATHS[templateField] ?? templateField;
}

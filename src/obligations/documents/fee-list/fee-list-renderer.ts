import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ErrorDetail } from '../../../platform';
import { formatFen } from '../../../forms/statement/amount-text';
import { FORM_ERRORS, FormCharacterError } from '../../../forms/forms.errors';
import { FormRenderer } from '../../../forms/render/form-renderer';
import type { FormTableRow, FormValues } from '../../../forms/render/form-values';
import { validateFormValues } from '../../../forms/render/form-values';
import type { FormTemplate } from '../../../forms/render/template';
import { loadTemplate } from '../../../forms/render/template-parser';
import { beijingTime, checkStatementData, dataPathOf, maskIdNumber } from '../../../forms/statement/statement-values';
import type { FeeListData, FeeListLine } from './fee-list-data';

/** The template file (templates/fee-list.json). */
export const FEE_LIST_TEMPLATE = 'fee-list';

const KIND_TEXT: Record<FeeListLine['kind'], string> = { drug: '药品', service: '诊疗', material: '材料' };
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Every way the data is incomplete or does not add up: the statement's checks plus each line's day and HIS code. */
export function checkFeeListData(data: FeeListData): ErrorDetail[] {
  const out = checkStatementData(data);
  if (data.visit?.kind !== 'inpatient') {
    out.push(
      FORM_ERRORS.detail('STATEMENT_DATA_INVALID', { field: 'visit.kind', message: '费用明细清单只用于住院结算' }),
    );
  }
  (Array.isArray(data.lines) ? data.lines : []).forEach((line, i) => {
    if (typeof line.serviceDate !== 'string' || !DAY.test(line.serviceDate)) {
      out.push(
        FORM_ERRORS.detail('STATEMENT_DATA_INVALID', {
          field: `lines[${i}].serviceDate`,
          message: '费用日期必须是 YYYY-MM-DD',
        }),
      );
    }
    if (typeof line.hisItemCode !== 'string' || line.hisItemCode.trim() === '') {
      out.push(
        FORM_ERRORS.detail('STATEMENT_DATA_INVALID', { field: `lines[${i}].hisItemCode`, message: '缺少院内项目编码' }),
      );
    }
  });
  return out;
}

function lineRow(line: FeeListLine): FormTableRow {
  const reason = line.selfPayReason?.trim() ?? '';
  return {
    serviceDate: line.serviceDate,
    hisCode: line.hisItemCode.trim(),
    itemName: line.itemName.trim(),
    insurerCode: line.insurerCode?.trim() ?? '',
    kind: KIND_TEXT[line.kind],
    count: line.count,
    unitPrice: formatFen(line.unitPriceFen),
    amount: formatFen(line.amountFen),
    selfPay: formatFen(line.selfPayFen),
    selfPayReason: line.hospitalBears ? `${reason}${reason ? '，' : ''}医院承担` : reason,
  };
}

function days(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

/** The template's values for checked data (lines in HIS's order, as the statement prints them). */
export function feeListValues(data: FeeListData): FormValues {
  const t = data.totals;
  return {
    hospitalName: data.hospital.name.trim(),
    hospitalCode: data.hospital.code.trim(),
    statementNo: data.statementNo.trim(),
    visitId: data.visit.visitId.trim(),
    admissionDate: data.visit.admissionDate,
    dischargeDate: data.visit.dischargeDate,
    days: String(days(data.visit.admissionDate, data.visit.dischargeDate)),
    department: data.visit.department?.trim() ?? '',
    diagnosis: data.visit.diagnosis.trim(),
    name: data.worker.name.trim(),
    sex: data.worker.sex,
    idNumberMasked: maskIdNumber(data.worker.idNumber),
    psnNo: data.worker.psnNo.trim(),
    lineCount: String(data.lines.length),
    lines: data.lines.map(lineRow),
    medicalFeeTotal: formatFen(t.medicalFeeFen),
    fundPays: formatFen(t.fundFen),
    selfPay: formatFen(t.selfPayFen),
    settledAt: beijingTime(data.settledAt),
    operator: data.operator.trim(),
  };
}

/**
 * The fee list (费用明细清单) of an inpatient settlement as a PDF: every fee line with its day, codes,
 * unit price, count, amount and self-pay part, and the totals. Drawn from templates/fee-list.json
 * with the forms' renderer and font, as the statement is; the same data gives the same bytes.
 */
@Injectable()
export class FeeListRenderer {
  /** Read and checked once: a broken template stops the gateway at start. */
  private readonly template: FormTemplate = loadTemplate(FEE_LIST_TEMPLATE);

  constructor(private readonly renderer: FormRenderer) {}

  async render(data: FeeListData): Promise<{ pdf: Buffer; sha256: string }> {
    const problems = checkFeeListData(data);
    if (problems.length > 0) {
      throw invalid(problems);
    }
    const values = feeListValues(data);
    const spec = { template: this.template };
    const unfit = validateFormValues(spec, values);
    if (unfit.length > 0) {
      throw invalid(
        unfit.map((d) =>
          FORM_ERRORS.detail('STATEMENT_DATA_INVALID', { field: dataPathOf(d.field ?? ''), message: d.message }),
        ),
      );
    }
    const missing = this.renderer.missingCharacters(this.template, { values });
    if (missing.length > 0) {
      throw new FormCharacterError(missing.map((d) => ({ ...d, field: dataPathOf(d.field ?? '') })));
    }
    const pdf = await this.renderer.render({ spec, values, flags: [], createdAt: data.settledAt });
    return { pdf, sha256: createHash('sha256').update(pdf).digest('hex') };
  }
}

function invalid(details: ErrorDetail[]): Error {
  return FORM_ERRORS.raise('STATEMENT_DATA_INVALID', {
    message: `费用明细清单的数据不完整或金额不平，无法出具：${details
      .slice(0, 3)
      .map((d) => `${d.field} ${d.message}`)
      .join('；')}${details.length > 3 ? ` 等 ${details.length} 项` : ''}。请联系信息科`,
    details,
  });
}

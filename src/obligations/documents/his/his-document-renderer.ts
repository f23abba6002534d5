import { Injectable } from '@nestjs/common';
import { FormCharacterError } from '../../../forms/forms.errors';
import { FormRenderer } from '../../../forms/render/form-renderer';
import { type FormValues, validateFormValues } from '../../../forms/render/form-values';
import type { FormTemplate } from '../../../forms/render/template';
import { loadTemplate } from '../../../forms/render/template-parser';
import { DOCUMENT_ERRORS } from '../inpatient-documents.errors';
import type { DischargeSummaryDataDto, MedicalRecordDataDto } from './his-documents.dto';

/** What the stay itself says (the visit HIS opened), printed on both documents. */
export interface StayFacts {
  hospital: { name: string; code: string };
  visitId: string;
  psnNo: string;
  department: string | null;
  admissionDate: string;
  dischargeDate: string;
}

function days(from: string, to: string): string {
  return String((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function medicalRecordValues(stay: StayFacts, d: MedicalRecordDataDto): FormValues {
  return {
    hospitalName: stay.hospital.name,
    hospitalCode: stay.hospital.code,
    medicalRecordNo: d.medicalRecordNo.trim(),
    name: d.name.trim(),
    sex: d.sex,
    birthDate: d.birthDate,
    psnNo: stay.psnNo,
    visitId: stay.visitId,
    admissionDepartment: d.admissionDepartment?.trim() ?? stay.department ?? '',
    dischargeDepartment: d.dischargeDepartment?.trim() ?? stay.department ?? '',
    admissionDate: stay.admissionDate,
    dischargeDate: stay.dischargeDate,
    days: days(stay.admissionDate, stay.dischargeDate),
    dischargeMethod: d.dischargeMethod,
    admissionDiagnosis: d.admissionDiagnosis?.trim() ?? '',
    principalCode: d.principalDiagnosis.code.trim(),
    principalName: d.principalDiagnosis.name.trim(),
    otherDiagnoses: (d.otherDiagnoses ?? []).map((x) => ({ code: x.code.trim(), name: x.name.trim() })),
    operations: (d.operations ?? []).map((o) => ({
      code: o.code.trim(),
      date: o.date,
      name: o.name.trim(),
      surgeon: o.surgeon?.trim() ?? '',
    })),
    attendingDoctor: d.attendingDoctor.trim(),
    residentDoctor: d.residentDoctor?.trim() ?? '',
    writtenOn: d.writtenOn,
  };
}

export function dischargeSummaryValues(stay: StayFacts, d: DischargeSummaryDataDto): FormValues {
  return {
    hospitalName: stay.hospital.name,
    hospitalCode: stay.hospital.code,
    visitId: stay.visitId,
    name: d.name.trim(),
    sex: d.sex,
    department: stay.department ?? '',
    psnNo: stay.psnNo,
    admissionDate: stay.admissionDate,
    dischargeDate: stay.dischargeDate,
    days: days(stay.admissionDate, stay.dischargeDate),
    admissionDiagnosis: d.admissionDiagnosis.trim(),
    dischargeDiagnosis: d.dischargeDiagnosis.trim(),
    admissionCondition: d.admissionCondition.trim(),
    treatmentCourse: d.treatmentCourse.trim(),
    dischargeCondition: d.dischargeCondition.trim(),
    dischargeAdvice: d.dischargeAdvice.trim(),
    doctor: d.doctor.trim(),
    writtenOn: d.writtenOn,
  };
}

/**
 * The 病案首页 and 出院小结 HIS sends as structured data, drawn as PDFs from templates/medical-record.json
 * and templates/discharge-summary.json with the forms' renderer and font. Dated by the day the
 * document was written, so the same data renders the same bytes (a re-send is no new version).
 */
@Injectable()
export class HisDocumentRenderer {
  private readonly templates: Record<'03' | '04', FormTemplate> = {
    '03': loadTemplate('medical-record'),
    '04': loadTemplate('discharge-summary'),
  };

  constructor(private readonly renderer: FormRenderer) {}

  async render(docType: '03' | '04', values: FormValues, writtenOn: string): Promise<Buffer> {
    const spec = { template: this.templates[docType] };
    const unfit = validateFormValues(spec, values);
    if (unfit.length > 0) {
      throw DOCUMENT_ERRORS.raise('DOCUMENT_DATA_INVALID', { details: unfit });
    }
    const missing = this.renderer.missingCharacters(spec.template, { values });
    if (missing.length > 0) {
      throw new FormCharacterError(missing);
    }
    return this.renderer.render({ spec, values, createdAt: new Date(`${writtenOn}T00:00:00+08:00`) });
  }
}

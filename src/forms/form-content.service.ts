import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { personKey } from '../identity/person-key';
import { type FormsWorker, VerifiedWorkerService } from '../identity/verified-worker.service';
import {
  ErrorDetail,
  PiiCryptoService,
  type Principal,
  validationErrorsToDetails,
  ValidationFailedError,
} from '../platform';
import type { FormDocument } from './form-document.entity';
import { FORM_ERRORS, FormCharacterError, formWorkerConflict } from './forms.errors';
import type { FormKindSpec } from './kinds/form-kinds';
import { FormRenderer } from './render/form-renderer';
import { type FormValues, validateFormValues, WORKER_FIELD_KEYS } from './render/form-values';

export const VALUES_CONTEXT = 'form_document.values';
const CHINESE_GRADES = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

export type { FormsWorker } from '../identity/verified-worker.service';

/** What a form row keeps, encrypted: HIS's values and the insurer's (verified) worker values, apart. */
export interface StoredFormValues {
  his: FormValues;
  worker: FormValues | null;
  psnNo: string | null;
  mdtrtId: string | null;
}

/** What a new form is filled from: HIS's values, and the verified worker through a verification token. */
export interface FormSource {
  kind: string;
  visitId: string;
  verificationToken?: string;
  psnNo?: string;
  mdtrtId?: string;
  values: Record<string, unknown>;
}

/**
 * What goes into a form: HIS's values checked against the kind's DTO, the insurer's verified worker
 * (from identity) over them, every missing or invalid field and every character the font lacks
 * refused before anything is stored; sealed (encrypted) in the row and opened again for reading.
 */
@Injectable()
export class FormContentService {
  constructor(
    private readonly workers: VerifiedWorkerService,
    private readonly pii: PiiCryptoService,
    private readonly renderer: FormRenderer,
  ) {}

  /** The verified worker when a verification token is given (it must be for this visit). */
  async verifiedWorker(
    source: Pick<FormSource, 'verificationToken' | 'visitId'>,
    principal: Principal,
  ): Promise<FormsWorker | undefined> {
    return source.verificationToken
      ? this.workers.workerForForms(source.verificationToken, source.visitId, principal)
      : undefined;
  }

  /** A new form's stored values; a person number HIS gives must agree with the verified worker's. */
  newValues(spec: FormKindSpec, source: FormSource, worker: FormsWorker | undefined): StoredFormValues {
    const stored: StoredFormValues = {
      his: this.checkHisValues(spec, source.values),
      worker: worker ? workerValues(worker) : null,
      psnNo: worker?.psnNo ?? source.psnNo ?? null,
      mdtrtId: source.mdtrtId ?? null,
    };
    if (worker && source.psnNo && source.psnNo !== worker.psnNo) {
      throw formWorkerConflict([
        FORM_ERRORS.detail('FORM_WORKER_CONFLICT', {
          field: 'psnNo',
          message: '人员编号与经办机构核验结果不一致：请删除该项，由核验结果填写',
        }),
      ]);
    }
    return stored;
  }

  /** Only for a preview: nothing kept, so no person number or insurer visit. */
  previewValues(
    spec: FormKindSpec,
    values: Record<string, unknown>,
    worker: FormsWorker | undefined,
  ): StoredFormValues {
    return {
      his: this.checkHisValues(spec, values),
      worker: worker ? workerValues(worker) : null,
      psnNo: null,
      mdtrtId: null,
    };
  }

  /** New HIS values merged over the stored ones (the worker's stay as verified). */
  patched(spec: FormKindSpec, stored: StoredFormValues, values: Record<string, unknown> | undefined): StoredFormValues {
    return { ...stored, his: this.checkHisValues(spec, { ...stored.his, ...(values ?? {}) }) };
  }

  /**
   * HIS's values with the insurer's worker fields over them: HIS may repeat a worker field but not
   * contradict it. Then every missing or invalid field, and every character the font lacks.
   */
  prepare(spec: FormKindSpec, stored: StoredFormValues): FormValues {
    const conflicts: ErrorDetail[] = [];
    const merged: FormValues = { ...stored.his };
    for (const key of WORKER_FIELD_KEYS) {
      const insurer = stored.worker?.[key];
      if (typeof insurer !== 'string' || insurer === '') {
        continue;
      }
      const his = stored.his[key];
      if (typeof his === 'string' && his.trim() !== '' && comparable(his) !== comparable(insurer)) {
        conflicts.push(
          FORM_ERRORS.detail('FORM_WORKER_CONFLICT', {
            field: `values.${key}`,
            message: '与经办机构核验的参保信息不一致：请删除该项，由核验结果填写',
          }),
        );
      }
      merged[key] = insurer;
    }
    if (conflicts.length > 0) {
      throw formWorkerConflict(conflicts);
    }
    const problems = validateFormValues(spec, merged).map((d) => ({
      ...d,
      field: d.field ? `values.${d.field}` : d.field,
    }));
    if (problems.length > 0) {
      throw new ValidationFailedError(problems);
    }
    // A character the font cannot draw is refused now, not first when the worker signs.
    const missing = this.renderer.missingCharacters(spec.template, { values: merged });
    if (missing.length > 0) {
      throw new FormCharacterError(missing);
    }
    return merged;
  }

  /** The stored values as the row keeps them: encrypted. */
  seal(stored: StoredFormValues): string {
    return this.pii.encrypt(JSON.stringify(stored), VALUES_CONTEXT);
  }

  open(row: Pick<FormDocument, 'values'>): StoredFormValues {
    return JSON.parse(this.pii.decrypt(row.values, VALUES_CONTEXT)) as StoredFormValues;
  }

  /** The person key of the form's worker (how forms are found by ID number), or null without one. */
  workerKey(values: FormValues): string | null {
    const id = values.idNumber;
    return typeof id === 'string' && id.trim() !== '' ? personKey(this.pii, id) : null;
  }

  /** The person key of an ID number HIS searches by. */
  keyOf(idNumber: string): string {
    return personKey(this.pii, idNumber);
  }

  /** HIS's values with the verified worker's over them, and which fields came from the insurer. */
  shown(stored: StoredFormValues): { values: FormValues; verifiedWorkerFields: string[] } {
    const values: FormValues = { ...stored.his };
    const verifiedWorkerFields: string[] = [];
    for (const [k, v] of Object.entries(stored.worker ?? {})) {
      if (typeof v === 'string' && v !== '') {
        values[k] = v;
        verifiedWorkerFields.push(k);
      }
    }
    return { values, verifiedWorkerFields };
  }

  /** HIS's values through the kind's DTO: unknown keys and bad values, each named. */
  private checkHisValues(spec: FormKindSpec, values: Record<string, unknown>): FormValues {
    const instance = plainToInstance(spec.valuesDto, values ?? {});
    const errors = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0) {
      throw new ValidationFailedError(validationErrorsToDetails(errors, 'values'));
    }
    const out: FormValues = {};
    for (const [k, v] of Object.entries(values ?? {})) {
      if (v !== undefined && v !== null) {
        out[k] = v as FormValues[string];
      }
    }
    return out;
  }
}

/** The insurer's worker data as the templates' worker fields. */
export function workerValues(w: FormsWorker): FormValues {
  const grade = w.disabilityGrade;
  return {
    name: w.name,
    sex: w.gend === '1' ? '男' : w.gend === '2' ? '女' : undefined,
    birthDate: w.birthDate,
    idNumber: w.idNumber,
    injuryDate: w.injuryDate ?? undefined,
    determinationDate: w.determinationDate ?? undefined,
    determinationNo: w.determinationNo ?? undefined,
    workerCategory: w.psnType && ['在职', '退休', '老工伤'].includes(w.psnType) ? w.psnType : undefined,
    injuredParts: w.injuredParts.length > 0 ? w.injuredParts.join('、') : undefined,
    disabilityGrade: grade !== null && grade >= 1 && grade <= 10 ? `${CHINESE_GRADES[grade]}级` : undefined,
    occupationalDisease: w.occupationalDisease ?? undefined,
  };
}

function comparable(s: string): string {
  return s.replace(/\s+/g, '').toUpperCase();
}

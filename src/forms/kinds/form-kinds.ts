import { FORM_ERRORS } from '../forms.errors';
import type { FormTemplate } from '../render/template';
import { loadTemplate } from '../render/template-parser';
import { RehabApplicationValuesDto } from './rehab-application.dto';
import { RelapseFilingValuesDto } from './relapse-filing.dto';
import { SelfPayConsentValuesDto } from './self-pay-consent.dto';

export type FormKind = 'relapse-filing' | 'rehab-application' | 'self-pay-consent';

/** One form kind: its template, its HIS/worker field DTO class (class-validator), its 9101 doc_type. */
export interface FormKindSpec {
  kind: FormKind;
  /** Chinese title as on the annex. */
  title: string;
  /** 9101 doc_type (docs/upstream-protocol.md): 01 relapse, 02 rehab, 07 self-pay consent. */
  docType: '01' | '02' | '07';
  /** Loaded from templates/<kind>.json. */
  template: FormTemplate;
  /** class-validator DTO of the form's fields (all optional at the HTTP layer; requiredness is checked after worker data is merged, by validateFormValues). */
  valuesDto: new () => object;
}

/** Adding a form: a template in templates/, a values DTO beside this file, and one entry here. */
const REGISTRY: Record<FormKind, { docType: FormKindSpec['docType']; valuesDto: new () => object }> = {
  'relapse-filing': { docType: '01', valuesDto: RelapseFilingValuesDto },
  'rehab-application': { docType: '02', valuesDto: RehabApplicationValuesDto },
  'self-pay-consent': { docType: '07', valuesDto: SelfPayConsentValuesDto },
};

export const FORM_KINDS: readonly FormKind[] = Object.keys(REGISTRY) as FormKind[];

const loaded = new Map<FormKind, FormKindSpec>();

/** The spec of a form kind; its template is read and checked once, on first use. */
export function formKind(kind: string): FormKindSpec {
  if (!(FORM_KINDS as readonly string[]).includes(kind)) {
    throw FORM_ERRORS.raise('FORM_KIND_UNKNOWN', {
      message: `未知的表单类型“${kind}”，可用类型：${FORM_KINDS.join('、')}`,
      details: [
        FORM_ERRORS.detail('FORM_KIND_UNKNOWN', { field: 'kind', message: `必须是以下之一：${FORM_KINDS.join(', ')}` }),
      ],
    });
  }
  const k = kind as FormKind;
  let spec = loaded.get(k);
  if (!spec) {
    const template = loadTemplate(k);
    spec = { kind: k, title: template.title, docType: REGISTRY[k].docType, template, valuesDto: REGISTRY[k].valuesDto };
    loaded.set(k, spec);
  }
  return spec;
}

import { checkIdNumber } from '../../../drivers/protocols/id-number';
import { ErrorDetail } from '../../platform';
import { FORM_ERRORS } from '../forms.errors';
import type { FormKindSpec } from '../kinds/form-kinds';
import { ColumnSpec, FieldSpec, FieldType, placeholders } from './template';

/** Field key → text; a table field (self-pay items) → rows. Keys are those of the template's fields. */
export type FormValues = Record<string, string | FormTableRow[] | undefined>;
export type FormTableRow = Record<string, string>;

/**
 * Worker fields the module helper fills from the identity session (insurer data) when HIS passes a
 * verification token. The templates use exactly these keys for them.
 */
export const WORKER_FIELD_KEYS = [
  'name',
  'sex',
  'birthDate',
  'idNumber',
  'injuryDate',
  'determinationDate',
  'determinationNo',
  'workerCategory',
  'injuredParts',
  'disabilityGrade',
  'occupationalDisease',
] as const;
export type WorkerFieldKey = (typeof WORKER_FIELD_KEYS)[number];

const TYPE_RULES: Record<Exclude<FieldType, 'table'>, { test: (v: string) => boolean; message: string }> = {
  text: { test: () => true, message: '' },
  date: { test: isCalendarDate, message: '必须是 YYYY-MM-DD 格式的有效日期' },
  idNumber: { test: (v) => checkIdNumber(v).valid, message: '不是有效的居民身份证号码（GB 11643 校验未通过）' },
  phone: {
    test: (v) => /^[0-9+\-() ]{5,20}$/.test(v),
    message: '必须是电话号码（5–20 位数字，可含 +、-、括号、空格）',
  },
  amount: {
    test: (v) => /^\d{1,9}(\.\d{1,2})?$/.test(v),
    message: '必须是以元为单位的金额，最多两位小数（如 128.50）',
  },
};

function isCalendarDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) {
    return false;
  }
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function present(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function checkScalar(
  spec: FieldSpec | ColumnSpec,
  field: string,
  label: string,
  value: unknown,
  out: ErrorDetail[],
): void {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    if (spec.required) {
      out.push(FORM_ERRORS.detail('FORM_FIELD_MISSING', { field, message: `缺少必填项“${label}”，请填写` }));
    }
    return;
  }
  if (typeof value !== 'string') {
    out.push(FORM_ERRORS.detail('FORM_FIELD_INVALID', { field, message: `“${label}”必须是文字` }));
    return;
  }
  const rule = TYPE_RULES[spec.type as Exclude<FieldType, 'table'>];
  if (!rule.test(value.trim())) {
    out.push(FORM_ERRORS.detail('FORM_FIELD_INVALID', { field, message: `“${label}”${rule.message}` }));
    return;
  }
  if (spec.maxLength !== undefined && [...value].length > spec.maxLength) {
    out.push(
      FORM_ERRORS.detail('FORM_FIELD_INVALID', { field, message: `“${label}”过长：最多 ${spec.maxLength} 个字` }),
    );
    return;
  }
  if ('enum' in spec && spec.enum && !spec.enum.includes(value.trim())) {
    out.push(FORM_ERRORS.detail('FORM_FIELD_INVALID', { field, message: `“${label}”只能是：${spec.enum.join('、')}` }));
  }
}

/**
 * Every missing or invalid field of the form after merging, one ErrorDetail each
 * ({field, code: 'FORM_FIELD_MISSING'|'FORM_FIELD_INVALID', message (Chinese)}), in the
 * template's field order. Keys the template does not declare are ignored (the HTTP DTO refuses
 * unknown keys; worker data merged for every kind may carry keys a form has no place for).
 */
export function validateFormValues(spec: Pick<FormKindSpec, 'template'>, values: FormValues): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const field of spec.template.fields) {
    const value = values[field.key];
    if (field.type !== 'table') {
      checkScalar(field, field.key, field.label, value, out);
      continue;
    }
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      if (field.required) {
        out.push(
          FORM_ERRORS.detail('FORM_FIELD_MISSING', { field: field.key, message: `缺少“${field.label}”，至少填写一项` }),
        );
      }
      continue;
    }
    if (!Array.isArray(value)) {
      out.push(FORM_ERRORS.detail('FORM_FIELD_INVALID', { field: field.key, message: `“${field.label}”必须是列表` }));
      continue;
    }
    if (field.maxRows !== undefined && value.length > field.maxRows) {
      out.push(
        FORM_ERRORS.detail('FORM_FIELD_INVALID', {
          field: field.key,
          message: `“${field.label}”最多 ${field.maxRows} 项（一页之内），请分表填写`,
        }),
      );
    }
    value.forEach((row, i) => {
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        out.push(
          FORM_ERRORS.detail('FORM_FIELD_INVALID', {
            field: `${field.key}[${i}]`,
            message: `“${field.label}”第 ${i + 1} 项必须是对象`,
          }),
        );
        return;
      }
      for (const col of field.columns ?? []) {
        checkScalar(
          col,
          `${field.key}[${i}].${col.key}`,
          `${field.label}第 ${i + 1} 项的${col.label}`,
          row[col.key],
          out,
        );
      }
    });
  }
  return out;
}

/** Sum of an amount column in cents (exact: never floating-point yuan). */
export function sumCents(rows: FormTableRow[] | undefined, column: string): number {
  let cents = 0;
  for (const row of rows ?? []) {
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec((row[column] ?? '').trim());
    if (m) {
      cents += Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
    }
  }
  return cents;
}

export function formatCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** `2026-03-05` → `2026 年 3 月 5 日`; empty → the blank `年    月    日` a hand fills in. */
export function ymd(date: string | undefined): string {
  const m = date ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim()) : null;
  if (!m) {
    return '        年    月    日';
  }
  return `${m[1]} 年 ${Number(m[2])} 月 ${Number(m[3])} 日`;
}

/** What the placeholders of a text resolve against. */
export interface TextContext {
  values: FormValues;
  /** The current element of a repeat row, with its 1-based number as '#'. */
  item?: FormTableRow;
  signatureDate?: string;
}

/** A template text with its placeholders replaced; `empty` tells whether every placeholder was empty. */
export function resolveText(text: string, ctx: TextContext): { text: string; empty: boolean; fields: string[] } {
  let empty = true;
  const fields: string[] = [];
  let out = text;
  for (const p of placeholders(text)) {
    let value: string | undefined;
    if (p.ref === 'signature.date') {
      value = ctx.signatureDate;
    } else if (p.ref.startsWith('sum:')) {
      const [table, col] = p.ref.slice(4).split('.');
      const rows = ctx.values[table];
      value = Array.isArray(rows) && rows.length > 0 ? formatCents(sumCents(rows, col)) : undefined;
      fields.push(table);
    } else if (p.ref.startsWith('item.')) {
      value = ctx.item?.[p.ref.slice(5)];
    } else {
      const v = ctx.values[p.ref];
      value = typeof v === 'string' ? v.trim() : undefined;
      fields.push(p.ref);
    }
    if (present(value)) {
      empty = false;
    }
    const shown = p.filter === 'ymd' ? ymd(value) : (value ?? '');
    out = out.replace(p.raw, () => shown);
  }
  return { text: out, empty, fields };
}

/**
 * The forms page's words and small rules (framework-free): the kinds, states and upload states in
 * Chinese, the form's fields as rows to show and fill (missing required ones marked), the
 * gateway's validation details put back on their fields, and the checks of a scanned copy before
 * it is sent.
 */
import type { FormDetailDto, FormFieldDto, FormVersionDto, UploadDto } from '../api/forms';

const KIND_TEXT: Record<string, string> = {
  'relapse-filing': '工伤复发就医备案表',
  'rehab-application': '工伤康复申请确认表',
  'self-pay-consent': '自费项目告知确认书',
};

/** The kind's short Chinese name (the full title is in the form's `title`). */
export function kindText(kind: string): string {
  return KIND_TEXT[kind] ?? kind;
}

export const FORM_KIND_OPTIONS = Object.entries(KIND_TEXT).map(([value, label]) => ({ value, label }));

export type Tone = 'info' | 'success' | 'warning' | 'danger' | 'primary';

const STATUS_VIEW: Record<string, { text: string; tone: Tone }> = {
  draft: { text: '草稿', tone: 'warning' },
  signed: { text: '已签署', tone: 'success' },
  uploaded: { text: '已签署 · 已上传待确认', tone: 'success' },
  acknowledged: { text: '已签署 · 经办机构已接收', tone: 'success' },
  rejected: { text: '经办机构退回', tone: 'danger' },
};

export function statusView(status: string): { text: string; tone: Tone } {
  return STATUS_VIEW[status] ?? { text: status, tone: 'info' };
}

export const FORM_STATUS_OPTIONS = Object.entries(STATUS_VIEW).map(([value, v]) => ({ value, label: v.text }));

/** True for every state after signing: the version is immutable, corrected by a new version. */
export function isSigned(status: string): boolean {
  return status !== 'draft';
}

const UPLOAD_TEXT: Record<string, string> = {
  pending: '等待上传经办机构',
  sending: '正在上传',
  unknown: '已发送，等待经办机构答复',
  delivered: '经办机构已接收',
  rejected: '经办机构拒收',
  cancelled: '上传已取消',
};

/** The 9101 upload in one line: its state, the tries and why the last one did not settle it. */
export function uploadText(upload: UploadDto | null): string {
  if (!upload) {
    return '无需上传（无人员编号，由医院留存）';
  }
  const parts = [UPLOAD_TEXT[upload.state] ?? upload.state];
  if (upload.attempts > 0) {
    parts.push(`已尝试 ${upload.attempts} 次`);
  }
  if (upload.lastError) {
    parts.push(upload.lastError);
  }
  return parts.join('，');
}

/** 第2版（更正第1版）, as the PDF's footer says it. */
export function versionText(v: Pick<FormVersionDto, 'version' | 'previousId'>): string {
  return `第${v.version}版${v.previousId ? `（更正第${v.version - 1}版）` : ''}`;
}

export interface FieldRow {
  key: string;
  label: string;
  type: string;
  required: boolean;
  /** The value as text ('' when empty); a table shows its rows, one per line. */
  text: string;
  /** Empty (or a table without rows). */
  empty: boolean;
  /** Required and empty: what signing cannot do without. */
  missing: boolean;
  /** Filled from the insurer through the verification token: shown, never edited here. */
  verified: boolean;
  /** A plain value the page lets the staff member fill or change (not a table, not verified). */
  editable: boolean;
  maxLength?: number;
  enum?: string[];
}

function tableText(field: FormFieldDto, value: unknown): string {
  if (!Array.isArray(value)) {
    return '';
  }
  const columns = field.columns ?? [];
  return value
    .map((row, i) => {
      const cells = columns.map((c) => {
        const cell = (row as Record<string, unknown> | null)?.[c.key];
        return typeof cell === 'string' || typeof cell === 'number' ? String(cell) : '';
      });
      return `${i + 1}. ${cells.filter((c) => c !== '').join(' · ')}`;
    })
    .join('\n');
}

/** Every field of the kind in the template's order, with the draft's value and what may be done with it. */
export function fieldRows(
  fields: readonly FormFieldDto[],
  form: Pick<FormDetailDto, 'values' | 'verifiedWorkerFields'>,
): FieldRow[] {
  return fields.map((f) => {
    const value = form.values[f.key];
    const text =
      f.type === 'table'
        ? tableText(f, value)
        : typeof value === 'string' || typeof value === 'number'
          ? String(value)
          : '';
    const empty = text.trim() === '';
    const verified = form.verifiedWorkerFields.includes(f.key);
    return {
      key: f.key,
      label: f.label,
      type: f.type,
      required: f.required,
      text,
      empty,
      missing: empty && f.required,
      verified,
      editable: f.type !== 'table' && !verified,
      ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
      ...(f.enum ? { enum: f.enum } : {}),
    };
  });
}

/** The hint under a field's input: its format. */
export function fieldHint(type: string): string {
  switch (type) {
    case 'date':
      return '日期，如 2026-03-05';
    case 'idNumber':
      return '18 位身份证号码';
    case 'phone':
      return '手机或固定电话';
    case 'amount':
      return '金额（元），最多两位小数';
    default:
      return '';
  }
}

/**
 * The fields the staff member changed, trimmed, for PATCH `values` (only those: the gateway
 * merges them over the draft's). Empty when nothing changed.
 */
export function changedValues(
  rows: readonly FieldRow[],
  edits: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) {
    const edit = edits[row.key];
    if (!row.editable || edit === undefined) {
      continue;
    }
    const next = edit.trim();
    if (next !== row.text.trim()) {
      out[row.key] = next;
    }
  }
  return out;
}

interface Detail {
  field?: string;
  message?: string;
}

/**
 * The gateway's 400 details (`values.<key>` or `values.<table>[1].<column>`) as messages per field key,
 * several for one field joined; details not about a value are left to the page's general error.
 */
export function fieldErrorsOf(details: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(details)) {
    return out;
  }
  for (const d of details as Detail[]) {
    const match = typeof d?.field === 'string' ? /^values\.([A-Za-z0-9]+)/.exec(d.field) : null;
    if (!match || typeof d.message !== 'string') {
      continue;
    }
    out[match[1]] = out[match[1]] ? `${out[match[1]]}；${d.message}` : d.message;
  }
  return out;
}

/** The gateway's limit for a scanned copy (FORM_SCAN_TOO_LARGE). */
export const MAX_SCAN_BYTES = 10 * 1024 * 1024;

/**
 * Why a chosen file cannot be the scanned copy (the gateway takes a PDF of at most 10 MB), or null:
 * `head` is the file's first bytes (at least 5), `size` its length.
 */
export function scanProblem(head: Uint8Array, size: number): string | null {
  if (size > MAX_SCAN_BYTES) {
    return '扫描件超过 10 MB，经办机构不接收：请降低扫描分辨率后重试';
  }
  if (String.fromCharCode(...head.subarray(0, 5)) !== '%PDF-') {
    return '扫描件必须是 PDF 文件：请用扫描仪“保存为 PDF”';
  }
  return null;
}

/** Base64 of a file's bytes (chunked: a 10 MB scan exceeds the argument limit of one call). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

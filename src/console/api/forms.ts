/**
 * The forms API (docs/forms.md) as the 表单 page calls it with the staff cookie (desk and doctor
 * map to the `forms` scope): list a visit's or a worker's forms, read one version, its kinds'
 * fields, fill a draft, sign it (pad PNG or scanned PDF), correct a signed one. Interface names
 * mirror the OpenAPI DTOs.
 */
import type { ApiClient } from './client';

const FORMS = '/api/v1/forms';

/** UploadDto */
export interface UploadDto {
  state: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
}

/** FormDto */
export interface FormDto {
  id: string;
  formNo: string;
  version: number;
  previousId: string | null;
  kind: string;
  title: string;
  visitId: string;
  disputed: boolean;
  status: string;
  rejectReason: string | null;
  sha256: string | null;
  size: number | null;
  signatureKind: string | null;
  signedAt: string | null;
  keepUntil: string | null;
  uploadMsgid: string | null;
  upload: UploadDto | null;
  insurerFileId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** FormVersionDto */
export interface FormVersionDto {
  id: string;
  version: number;
  status: string;
  signedAt: string | null;
  sha256: string | null;
  previousId: string | null;
}

/** FormDetailDto */
export interface FormDetailDto extends FormDto {
  values: Record<string, unknown>;
  verifiedWorkerFields: string[];
  versions: FormVersionDto[];
}

/** FormFieldColumnDto */
export interface FormFieldColumnDto {
  key: string;
  label: string;
  type: string;
  required: boolean;
  maxLength?: number;
}

/** FormFieldDto */
export interface FormFieldDto {
  key: string;
  label: string;
  type: string;
  required: boolean;
  maxLength?: number;
  enum?: string[];
  columns?: FormFieldColumnDto[];
  maxRows?: number;
}

/** FormKindDto */
export interface FormKindDto {
  kind: string;
  title: string;
  fields: FormFieldDto[];
}

/** SignFormDto: exactly one of signaturePng (pad) and scannedPdf (scan), both Base64 without prefix. */
export interface SignFormDto {
  signaturePng?: string;
  signedAt?: string;
  scannedPdf?: string;
}

/** FormListQueryDto: one of visitId and idNumber. */
export interface FormListQueryDto {
  visitId?: string;
  idNumber?: string;
  before?: string;
  limit?: number;
}

export function formPdfUrl(id: string): string {
  return `${FORMS}/${encodeURIComponent(id)}/pdf`;
}

export function listForms(client: ApiClient, query: FormListQueryDto): Promise<FormDto[]> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '') {
      params.set(k, String(v));
    }
  }
  return client.get<FormDto[]>(`${FORMS}?${params.toString()}`);
}

export function getForm(client: ApiClient, id: string): Promise<FormDetailDto> {
  return client.get<FormDetailDto>(`${FORMS}/${encodeURIComponent(id)}`);
}

export function formKinds(client: ApiClient): Promise<FormKindDto[]> {
  return client.get<FormKindDto[]>(`${FORMS}/kinds`);
}

export function updateForm(client: ApiClient, id: string, values: Record<string, unknown>): Promise<FormDetailDto> {
  return client.request<FormDetailDto>('PATCH', `${FORMS}/${encodeURIComponent(id)}`, { values });
}

export function signForm(client: ApiClient, id: string, body: SignFormDto): Promise<FormDetailDto> {
  return client.post<FormDetailDto>(`${FORMS}/${encodeURIComponent(id)}/signature`, body);
}

export function correctForm(client: ApiClient, id: string): Promise<FormDetailDto> {
  return client.post<FormDetailDto>(`${FORMS}/${encodeURIComponent(id)}/corrections`, {});
}

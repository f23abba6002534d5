/**
 * The forms API (docs/forms.md) as the 表单 page calls it with the staff cookie (desk and doctor
 * map to the `forms` scope): list a visit's or a worker's forms, read one version, its kinds'
 * fields, fill a draft, sign it (pad PNG or scanned PDF), correct a signed one. Types from the
 * gateway's OpenAPI document (openapi.generated.ts).
 */
import type { ApiClient } from './client';
import type { Operations, Schemas } from './openapi.generated';

export type UploadDto = Schemas['UploadDto'];
export type FormDto = Schemas['FormDto'];
export type FormVersionDto = Schemas['FormVersionDto'];
export type FormDetailDto = Schemas['FormDetailDto'];
export type FormFieldColumnDto = Schemas['FormFieldColumnDto'];
export type FormFieldDto = Schemas['FormFieldDto'];
export type FormKindDto = Schemas['FormKindDto'];
/** Exactly one of signaturePng (pad) and scannedPdf (scan), both Base64 without prefix. */
export type SignFormDto = Schemas['SignFormDto'];
/** One of visitId and idNumber. */
export type FormListQueryDto = NonNullable<Operations['GET /api/v1/forms']['query']>;

export function formPdfUrl(id: string): string {
  return `/api/v1/forms/${encodeURIComponent(id)}/pdf`;
}

export function listForms(client: ApiClient, query: FormListQueryDto): Promise<FormDto[]> {
  return client.call('GET /api/v1/forms', { query });
}

export function getForm(client: ApiClient, id: string): Promise<FormDetailDto> {
  return client.call('GET /api/v1/forms/{id}', { path: { id } });
}

export function formKinds(client: ApiClient): Promise<FormKindDto[]> {
  return client.call('GET /api/v1/forms/kinds');
}

export function updateForm(client: ApiClient, id: string, values: Record<string, unknown>): Promise<FormDetailDto> {
  return client.call('PATCH /api/v1/forms/{id}', { path: { id }, body: { values } });
}

export function signForm(client: ApiClient, id: string, body: SignFormDto): Promise<FormDetailDto> {
  return client.call('POST /api/v1/forms/{id}/signature', { path: { id }, body });
}

export function correctForm(client: ApiClient, id: string): Promise<FormDetailDto> {
  return client.call('POST /api/v1/forms/{id}/corrections', { path: { id }, body: {} });
}

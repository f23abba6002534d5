/**
 * The settlement API (docs/settlement.md) as the 结算 page calls it with the staff cookie (the
 * finance role maps to the `settlement` scope; `admin`, for IT's requery, is it-admin's). Types from the
 * gateway's OpenAPI document (openapi.generated.ts). Every amount is integer fen.
 */
import type { ApiClient } from './client';
import type { Schemas } from './openapi.generated';

export type VisitDto = Schemas['VisitDto'];
export type FeeLineDto = Schemas['FeeLineDto'];
export type VisitDetailDto = Schemas['VisitDetailDto'];
export type FindingDto = Schemas['FindingDto'];
export type LineAuditDto = Schemas['LineAuditDto'];
export type PreAuditTotalsDto = Schemas['PreAuditTotalsDto'];
export type PreAuditDto = Schemas['PreAuditDto'];
export type InsurerSplitDto = Schemas['InsurerSplitDto'];
export type LocalSelfPayLineDto = Schemas['LocalSelfPayLineDto'];
export type SettlementTrialDto = Schemas['SettlementTrialDto'];
export type ProvisionalSplitDto = Schemas['ProvisionalSplitDto'];
export type SettlementDto = Schemas['SettlementDto'];
export type SettlementStatus = SettlementDto['status'];
export type SettlementDifferenceDto = Schemas['SettlementDifferenceDto'];
export type VisitState = NonNullable<VisitDto['state']>;

/** The MATCH token rides in a header; an empty one is left out (the gateway then says what is missing). */
const token = (t: string): string => t.trim();

export function listVisits(
  client: ApiClient,
  filter: { state?: VisitState; psnNo?: string; limit?: number },
): Promise<VisitDto[]> {
  return client.call('GET /api/v1/settlement/visits', {
    query: { state: filter.state, psnNo: filter.psnNo, limit: filter.limit ?? 50 },
  });
}

export function getVisit(client: ApiClient, visitId: string): Promise<VisitDetailDto> {
  return client.call('GET /api/v1/settlement/visits/{visitId}', { path: { visitId } });
}

export function preAudit(client: ApiClient, visitId: string, t: string): Promise<PreAuditDto> {
  return client.call('POST /api/v1/settlement/visits/{visitId}/pre-audit', {
    path: { visitId },
    headers: { 'x-verification-token': token(t) },
    body: {},
  });
}

export function trial(client: ApiClient, visitId: string, t: string): Promise<SettlementTrialDto> {
  return client.call('POST /api/v1/settlement/visits/{visitId}/settlement/trial', {
    path: { visitId },
    headers: { 'x-verification-token': token(t) },
  });
}

/** 201 settled, 202 outcome not known yet (or provisional): both answer the settlement. */
export function settle(client: ApiClient, visitId: string, t: string, idempotencyKey: string): Promise<SettlementDto> {
  return client.call('POST /api/v1/settlement/visits/{visitId}/settlement', {
    path: { visitId },
    headers: { 'x-verification-token': token(t), 'idempotency-key': idempotencyKey },
    body: {},
  });
}

export function settlementsOfVisit(client: ApiClient, visitId: string): Promise<SettlementDto[]> {
  return client.call('GET /api/v1/settlement/visits/{visitId}/settlements', { path: { visitId } });
}

export function getSettlement(client: ApiClient, id: string): Promise<SettlementDto> {
  return client.call('GET /api/v1/settlement/settlements/{id}', { path: { id } });
}

export function settlementsInStatus(client: ApiClient, status: SettlementStatus): Promise<SettlementDto[]> {
  return client.call('GET /api/v1/settlement/settlements', { query: { status, limit: 100 } });
}

export function cancelSettlement(
  client: ApiClient,
  id: string,
  body: { reason: string; staff: string },
): Promise<SettlementDto> {
  return client.call('POST /api/v1/settlement/settlements/{id}/cancel', { path: { id }, body });
}

/** IT's requery (scope admin): asks the insurer by msgid and reads its stored reply again. */
export function requery(client: ApiClient, id: string, staff: string): Promise<SettlementDto> {
  return client.call('POST /api/v1/settlement/settlements/{id}/review', {
    path: { id },
    body: { action: 'requery', staff },
  });
}

export function openDifferences(client: ApiClient): Promise<SettlementDifferenceDto[]> {
  return client.call('GET /api/v1/settlement/differences', { query: { state: 'open', limit: 100 } });
}

/** The statement PDF (费用结算单, or the 临时结算单 of a provisional settlement): opened by the browser. */
export function statementUrl(id: string): string {
  return `/api/v1/settlement/settlements/${encodeURIComponent(id)}/statement.pdf`;
}

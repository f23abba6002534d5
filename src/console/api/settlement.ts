/**
 * The settlement API (docs/settlement.md) as the 结算 page calls it with the staff cookie (the
 * finance role maps to the `settlement` scope; `admin`, for IT's requery, is it-admin's). Interface
 * names mirror the OpenAPI DTOs. Every amount is integer fen.
 */
import type { ApiClient } from './client';

const BASE = '/api/v1/settlement';

/** VisitDto */
export interface VisitDto {
  id: string;
  visitId: string;
  psnNo: string;
  kind: string;
  careType: string;
  visitDate: string | null;
  admissionDate: string | null;
  ward: string | null;
  dept: string | null;
  diagnosisCode: string | null;
  diagnosisName: string | null;
  dischargeDate: string | null;
  dischargeNoticeDate: string | null;
  state: string;
  createdAt: string;
  updatedAt: string;
}

/** FeeLineDto */
export interface FeeLineDto {
  lineId: string;
  hisItemCode: string;
  itemName: string;
  kind: string;
  count: string;
  unitPriceFen: number;
  amountFen: number;
  serviceDate: string;
  injuryRelated: boolean;
  state: string;
}

/** VisitDetailDto */
export interface VisitDetailDto extends VisitDto {
  lines: FeeLineDto[];
  activeLines: number;
  activeAmountFen: number;
}

/** FindingDto */
export interface FindingDto {
  code: string;
  severity: string;
  lineId: string | null;
  message: string;
}

/** LineAuditDto */
export interface LineAuditDto {
  lineId: string;
  disposition: string;
  amountFen: number;
  insurerCode: string | null;
  findings: FindingDto[];
}

/** PreAuditTotalsDto */
export interface PreAuditTotalsDto {
  lineSumFen: number;
  fundFen: number;
  selfPayFen: number;
  refusedFen: number;
  hospitalLossFen: number;
}

/** PreAuditDto */
export interface PreAuditDto {
  visitId: string;
  verdict: { canSettle: boolean; message: string };
  personCheck: { done: boolean; source: string | null };
  totals: PreAuditTotalsDto;
  lines: LineAuditDto[];
  findings: FindingDto[];
  catalogueVersionSeq: number | null;
  missingTraceCodes: string;
}

/** InsurerSplitDto */
export interface InsurerSplitDto {
  setlId: string | null;
  setlTime: string | null;
  totalFen: number;
  fundFen: number;
  selfPayFen: number;
  refundFen: number | null;
}

/** LocalSelfPayLineDto */
export interface LocalSelfPayLineDto {
  lineId: string;
  amountFen: number;
  reason: string;
}

/** SettlementTrialDto */
export interface SettlementTrialDto {
  visitId: string;
  split: InsurerSplitDto;
  localSelfPay: LocalSelfPayLineDto[];
  deskCollectsFen: number;
  warnings: FindingDto[];
}

/** ProvisionalSplitDto */
export interface ProvisionalSplitDto {
  totalFen: number;
  fundFen: number;
  selfPayFen: number;
  deskCollectsFen: number;
}

/** SettlementDto */
export interface SettlementDto {
  id: string;
  visitId: string;
  psnNo: string;
  kind: string;
  infno: string;
  status: string;
  localSelfPay: LocalSelfPayLineDto[];
  preAuditTotals: PreAuditTotalsDto;
  setlId: string | null;
  split: InsurerSplitDto | null;
  deskCollectsFen: number | null;
  conversion: boolean;
  refundFen: number | null;
  problem: string | null;
  settledAt: string | null;
  cancelReason: string | null;
  cancelledAt: string | null;
  cancelRequested: { at: string; state: string } | null;
  desk: string | null;
  provisional: boolean;
  provisionalSplit: ProvisionalSplitDto | null;
  createdBy: string;
  createdAt: string;
}

/** SettlementDifferenceDto */
export interface SettlementDifferenceDto {
  id: string;
  settlementId: string;
  visitId: string;
  cause: string;
  provisionalFen: number;
  finalFen: number;
  differenceFen: number;
  direction: string;
  state: string;
  message: string;
  createdAt: string;
}

const enc = encodeURIComponent;
const visitPath = (visitId: string): string => `${BASE}/visits/${enc(visitId)}`;
const settlementPath = (id: string): string => `${BASE}/settlements/${enc(id)}`;

/** The MATCH token rides in a header; an empty one is left out (the gateway then says what is missing). */
function tokenHeaders(token: string): Record<string, string> {
  const t = token.trim();
  return t === '' ? {} : { 'x-verification-token': t };
}

export function listVisits(client: ApiClient, filter: { state?: string; psnNo?: string; limit?: number }) {
  const query = new URLSearchParams();
  if (filter.state) {
    query.set('state', filter.state);
  }
  if (filter.psnNo) {
    query.set('psnNo', filter.psnNo);
  }
  query.set('limit', String(filter.limit ?? 50));
  return client.get<VisitDto[]>(`${BASE}/visits?${query.toString()}`);
}

export function getVisit(client: ApiClient, visitId: string): Promise<VisitDetailDto> {
  return client.get<VisitDetailDto>(visitPath(visitId));
}

export function preAudit(client: ApiClient, visitId: string, token: string): Promise<PreAuditDto> {
  return client.request<PreAuditDto>('POST', `${visitPath(visitId)}/pre-audit`, {}, tokenHeaders(token));
}

export function trial(client: ApiClient, visitId: string, token: string): Promise<SettlementTrialDto> {
  return client.request<SettlementTrialDto>(
    'POST',
    `${visitPath(visitId)}/settlement/trial`,
    undefined,
    tokenHeaders(token),
  );
}

/** 201 settled, 202 outcome not known yet (or provisional): both answer the settlement. */
export function settle(
  client: ApiClient,
  visitId: string,
  token: string,
  idempotencyKey: string,
): Promise<SettlementDto> {
  return client.request<SettlementDto>(
    'POST',
    `${visitPath(visitId)}/settlement`,
    {},
    {
      ...tokenHeaders(token),
      'idempotency-key': idempotencyKey,
    },
  );
}

export function settlementsOfVisit(client: ApiClient, visitId: string): Promise<SettlementDto[]> {
  return client.get<SettlementDto[]>(`${visitPath(visitId)}/settlements`);
}

export function getSettlement(client: ApiClient, id: string): Promise<SettlementDto> {
  return client.get<SettlementDto>(settlementPath(id));
}

export function settlementsInStatus(client: ApiClient, status: string): Promise<SettlementDto[]> {
  return client.get<SettlementDto[]>(`${BASE}/settlements?status=${enc(status)}&limit=100`);
}

export function cancelSettlement(
  client: ApiClient,
  id: string,
  body: { reason: string; staff: string },
): Promise<SettlementDto> {
  return client.post<SettlementDto>(`${settlementPath(id)}/cancel`, body);
}

/** IT's requery (scope admin): asks the insurer by msgid and reads its stored reply again. */
export function requery(client: ApiClient, id: string, staff: string): Promise<SettlementDto> {
  return client.post<SettlementDto>(`${settlementPath(id)}/review`, { action: 'requery', staff });
}

export function openDifferences(client: ApiClient): Promise<SettlementDifferenceDto[]> {
  return client.get<SettlementDifferenceDto[]>(`${BASE}/differences?state=open&limit=100`);
}

/** The statement PDF (费用结算单, or the 临时结算单 of a provisional settlement): opened by the browser. */
export function statementUrl(id: string): string {
  return `${settlementPath(id)}/statement.pdf`;
}

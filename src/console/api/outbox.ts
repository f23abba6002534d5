/**
 * The outbox of messages to the insurer as IT sees it (scope `admin`, docs/upstream-protocol.md):
 * the list with its filters, one message with its attempts, rerun of a rejected message (as a new
 * message) and cancellation of a pending one with a reason.
 */
import type { ApiClient } from './client';

export const OUTBOX_STATUSES = ['pending', 'unknown', 'sending', 'delivered', 'rejected', 'cancelled'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** GET /api/v1/admin/outbox (OutboxMessageDto). */
export interface OutboxMessageDto {
  id: string;
  msgid: string;
  infno: string;
  subjectKey: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  infcode: number | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
  cancelReason: string | null;
}

/** One try (OutboxAttemptDto). */
export interface OutboxAttemptDto {
  kind: 'send' | 'query';
  instanceId: string;
  startedAt: string;
  latencyMs: number;
  outcome: string;
  httpStatus: number | null;
  detail: string | null;
}

/** GET /api/v1/admin/outbox/{id} (OutboxMessageDetailDto). */
export interface OutboxMessageDetailDto extends OutboxMessageDto {
  attemptLog: OutboxAttemptDto[];
  reply: unknown;
}

/** OutboxQueryDto: the filters the gateway offers. */
export interface OutboxQueryDto {
  status?: OutboxStatus;
  infno?: string;
  subjectKey?: string;
  /** Older than this id (the last id of the previous page). */
  before?: string;
  limit?: number;
}

const OUTBOX = '/api/v1/admin/outbox';

export function outboxQueryString(query: OutboxQueryDto): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function listOutbox(client: ApiClient, query: OutboxQueryDto): Promise<OutboxMessageDto[]> {
  return client.get<OutboxMessageDto[]>(`${OUTBOX}${outboxQueryString(query)}`);
}

export function getOutboxMessage(client: ApiClient, id: string): Promise<OutboxMessageDetailDto> {
  return client.get<OutboxMessageDetailDto>(`${OUTBOX}/${encodeURIComponent(id)}`);
}

export function rerunOutboxMessage(client: ApiClient, id: string): Promise<OutboxMessageDto> {
  return client.post<OutboxMessageDto>(`${OUTBOX}/${encodeURIComponent(id)}/rerun`);
}

export function cancelOutboxMessage(client: ApiClient, id: string, reason: string): Promise<OutboxMessageDto> {
  return client.post<OutboxMessageDto>(`${OUTBOX}/${encodeURIComponent(id)}/cancel`, { reason });
}

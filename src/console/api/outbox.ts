/**
 * The outbox of messages to the insurer as IT sees it (scope `admin`, docs/upstream-protocol.md):
 * the list with its filters, one message with its attempts, rerun of a rejected message (as a new
 * message) and cancellation of a pending one with a reason.
 */
import type { ApiClient } from './client';
import type { Operations, Schemas } from './openapi.generated';

export type OutboxMessageDto = Schemas['OutboxMessageDto'];
export type OutboxStatus = OutboxMessageDto['status'];
/** The statuses in the order the filter offers them (each checked against the API's own list). */
export const OUTBOX_STATUSES: readonly OutboxStatus[] = [
  'pending',
  'unknown',
  'sending',
  'delivered',
  'rejected',
  'cancelled',
];

/** One try (OutboxAttemptDto). */
export type OutboxAttemptDto = Schemas['OutboxAttemptDto'];

/** GET /api/v1/admin/outbox/{id} (OutboxMessageDetailDto). */
export type OutboxMessageDetailDto = Schemas['OutboxMessageDetailDto'];

/** OutboxQueryDto: the filters the gateway offers. */
export type OutboxQueryDto = NonNullable<Operations['GET /api/v1/admin/outbox']['query']>;

export function listOutbox(client: ApiClient, query: OutboxQueryDto): Promise<OutboxMessageDto[]> {
  return client.call('GET /api/v1/admin/outbox', { query });
}

export function getOutboxMessage(client: ApiClient, id: string): Promise<OutboxMessageDetailDto> {
  return client.call('GET /api/v1/admin/outbox/{id}', { path: { id } });
}

export function rerunOutboxMessage(client: ApiClient, id: string): Promise<OutboxMessageDto> {
  return client.call('POST /api/v1/admin/outbox/{id}/rerun', { path: { id } });
}

export function cancelOutboxMessage(client: ApiClient, id: string, reason: string): Promise<OutboxMessageDto> {
  return client.call('POST /api/v1/admin/outbox/{id}/cancel', { path: { id }, body: { reason } });
}

import type { FastifyReply } from 'fastify';
import type { SettleAnswer } from './settle.service';
import type { SettlementDto } from './settlement.dto';

/** The Idempotency-Key header as the settle use cases take it: trimmed, absent when blank. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  return header?.trim() || undefined;
}

/**
 * A settle answer over HTTP (settle, conversion): 201 settled, 202 with the settlement's address
 * (Location) while its outcome is not known, the settlement as the body.
 */
export function sendSettleAnswer(reply: FastifyReply, { status, settlement }: SettleAnswer): SettlementDto {
  void reply.status(status);
  if (status === 202) {
    void reply.header('location', `/api/v1/settlement/settlements/${settlement.id}`);
  }
  return settlement;
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ATTEMPT_OUTCOMES = [
  'delivered', // infcode 0
  'rejected', // business rejection
  'unavailable', // insurer said: later (infcode unavailable)
  'not-sent', // connection refused before anything was sent: safe to send again
  'unknown', // timeout, reset, 5xx from a proxy: may have arrived
  'bad-signature', // reply did not verify: treated as unknown, recorded
  'not-received', // query by msgid: the insurer never saw it
] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One try at sending (or querying) a message: kept for IT staff and audits. */
@Entity({ name: 'outbox_attempt' })
@Index('ix_outbox_attempt_message', ['messageId'])
export class OutboxAttempt {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'message_id', type: 'varchar', length: 36 })
  messageId: string;

  @Column({ type: 'varchar', length: 8 })
  kind: 'send' | 'query';

  @Column({ name: 'instance_id', type: 'varchar', length: 64 })
  instanceId: string;

  @Column({ name: 'started_at' })
  startedAt: Date;

  @Column({ name: 'latency_ms', type: 'integer' })
  latencyMs: number;

  @Column({ type: 'varchar', length: 16 })
  outcome: AttemptOutcome;

  @Column({ name: 'http_status', type: 'integer', nullable: true })
  httpStatus: number | null;

  @Column({ type: 'text', nullable: true })
  detail: string | null;
}

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The duties with deadlines (docs/obligations.md). Each kind has one rule of the agreements behind
 * it and one way its due day is counted; `subjectType` says what its `subjectId` names.
 */
export const OBLIGATION_KINDS = [
  'cross-province-upload',
  'rehab-assessment',
  'inpatient-documents',
  'monthly-declaration',
  'reconciliation',
  'audit-result',
] as const;
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];

/**
 * open: not fulfilled, its due day not yet past; done: fulfilled in time; late: its due day passed
 * before it was fulfilled (it stays late once fulfilled: `fulfilledAt` tells); waived: staff (or the
 * gateway, when its subject went away, e.g. a cancelled settlement) said it is not owed, with a reason.
 */
export const OBLIGATION_STATES = ['open', 'done', 'late', 'waived'] as const;
export type ObligationState = (typeof OBLIGATION_STATES)[number];

export type ObligationSubject = 'settlement' | 'visit' | 'month' | 'day';

/** Who owes it: the hospital (the gateway acts), or the insurer (the gateway watches: R18 audit results). */
export type ObligationParty = 'hospital' | 'insurer';

export interface Obligation {
  id: string;
  kind: ObligationKind;
  subjectType: ObligationSubject;
  subjectId: string;
  owedBy: ObligationParty;
  /** The rule and its arithmetic, e.g. 'R11 协议31–33: 5 working days after settlement'. */
  rule: string;
  /** 'yyyy-MM-dd', Beijing: the last day to fulfil it. */
  dueOn: string;
  /** False: counted Monday–Friday over a year the calendar does not know (unconfirmed). */
  dueConfirmed: boolean;
  state: ObligationState;
  openedAt: Date;
  attempts: number;
  lastAttemptAt: Date | null;
  lastError: string | null;
  fulfilledAt: Date | null;
  /** What shows it was done: the insurer's receipt (receipt_id, file_id, …). */
  evidence: Record<string, unknown> | null;
  /** What the duty needs or is waiting for (kind-specific). */
  detail: Record<string, unknown> | null;
  waivedReason: string | null;
  waivedBy: string | null;
  waivedAt: Date | null;
}

/** The `obligation` table (migration Obligations). obligation.repository.ts holds its SQL. */
@Entity({ name: 'obligation' })
@Index('ux_obligation_subject', ['kind', 'subjectId'], { unique: true })
@Index('ix_obligation_state_due', ['state', 'dueOn'])
export class ObligationRow {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'varchar', length: 32 }) kind: string;
  @Column({ name: 'subject_type', type: 'varchar', length: 16 }) subjectType: string;
  @Column({ name: 'subject_id', type: 'varchar', length: 64 }) subjectId: string;
  @Column({ name: 'owed_by', type: 'varchar', length: 16 }) owedBy: string;
  @Column({ type: 'varchar', length: 200 }) rule: string;
  @Column({ name: 'due_on', type: 'varchar', length: 10 }) dueOn: string;
  @Column({ name: 'due_confirmed', type: 'boolean' }) dueConfirmed: boolean;
  @Column({ type: 'varchar', length: 8 }) state: string;
  @Column({ name: 'opened_at' }) openedAt: Date;
  @Column({ type: 'integer' }) attempts: number;
  @Column({ name: 'last_attempt_at', type: Date, nullable: true }) lastAttemptAt: Date | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  @Column({ name: 'fulfilled_at', type: Date, nullable: true }) fulfilledAt: Date | null;
  @Column({ type: 'text', nullable: true }) evidence: string | null;
  @Column({ type: 'text', nullable: true }) detail: string | null;
  @Column({ name: 'waived_reason', type: 'text', nullable: true }) waivedReason: string | null;
  @Column({ name: 'waived_by', type: 'varchar', length: 100, nullable: true }) waivedBy: string | null;
  @Column({ name: 'waived_at', type: Date, nullable: true }) waivedAt: Date | null;
}

/**
 * `scheduled_slot`: one row per (job, slot) that ran — a daily or monthly job claims its slot by
 * inserting it, so with several instances on one database exactly one runs it.
 */
@Entity({ name: 'scheduled_slot' })
export class ScheduledSlotRow {
  @PrimaryColumn({ type: 'varchar', length: 64 }) job: string;
  @PrimaryColumn({ type: 'varchar', length: 32 }) slot: string;
  @Column({ name: 'claimed_by', type: 'varchar', length: 100 }) claimedBy: string;
  @Column({ name: 'claimed_at' }) claimedAt: Date;
}

export const OBLIGATION_ENTITIES = [ObligationRow, ScheduledSlotRow];

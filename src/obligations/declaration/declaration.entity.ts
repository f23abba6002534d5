import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * draft: figures made from the gateway's settlements, not sent; submitted: a 3401 is in the outbox and
 * its answer not in yet; accepted: the insurer took it (receipt, `consistent` and its figures stored);
 * refused: the insurer refused the last 3401 (its reason in `lastError`).
 */
export const DECLARATION_STATES = ['draft', 'submitted', 'accepted', 'refused'] as const;
export type DeclarationState = (typeof DECLARATION_STATES)[number];

/**
 * The monthly declaration of one month (R13, 协议 29; migration ObligationsDeclaration): the draft the
 * gateway made, every submission (3401) with its answer, and the insurer's figures of the last answer.
 * declaration.repository.ts holds its SQL. Money in integer fen.
 */
@Entity({ name: 'obligation_declaration' })
export class DeclarationRow {
  /** 'yyyy-MM' (decl_ym). */
  @PrimaryColumn({ type: 'varchar', length: 7 })
  month: string;

  @Column({ type: 'varchar', length: 12 })
  state: DeclarationState;

  @Column({ name: 'setl_cnt', type: 'integer' })
  setlCnt: number;

  @Column({ name: 'medfee_fen', type: 'bigint' })
  medfeeFen: number;

  @Column({ name: 'fund_fen', type: 'bigint' })
  fundFen: number;

  @Column({ name: 'psn_fen', type: 'bigint' })
  psnFen: number;

  /** The month had settlements made while the insurer was away (临时结算): declared with offline_flag. */
  @Column({ name: 'offline_flag', type: 'boolean' })
  offlineFlag: boolean;

  /** Settlements of the month whose outcome is not known (pending, needs-review, provisional), JSON. */
  @Column({ type: 'text' })
  unresolved: string;

  @Column({ name: 'drafted_at' })
  draftedAt: Date;

  @Column({ name: 'drafted_by', type: 'varchar', length: 100 })
  draftedBy: string;

  /** Every 3401 sent for the month, oldest first, with its answer (DeclarationSubmission[] JSON). */
  @Column({ type: 'text' })
  submissions: string;

  /** The receipt of the insurer's last acceptance; null before the first. */
  @Column({ name: 'receipt_id', type: 'varchar', length: 40, nullable: true })
  receiptId: string | null;

  @Column({ type: 'boolean', nullable: true })
  consistent: boolean | null;

  @Column({ name: 'insurer_setl_cnt', type: 'integer', nullable: true })
  insurerSetlCnt: number | null;

  @Column({ name: 'insurer_medfee_fen', type: 'bigint', nullable: true })
  insurerMedfeeFen: number | null;

  @Column({ name: 'insurer_fund_fen', type: 'bigint', nullable: true })
  insurerFundFen: number | null;

  /** Declared figures against the insurer's of the last answer (FigureDifference[] JSON); '[]' when none. */
  @Column({ type: 'text' })
  differences: string;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

/** agreed: 3201 found the totals equal; differs: it did not (differences name the settlements); failed: no answer. */
export const RECONCILIATION_STATES = ['agreed', 'differs', 'failed'] as const;
export type ReconciliationState = (typeof RECONCILIATION_STATES)[number];
export type ReconciliationTrigger = 'daily' | 'on-demand';

/**
 * One reconciliation of a period (3201, and 3202 when the totals differ; migration
 * ObligationsDeclaration). reconciliation.repository.ts holds its SQL. Money in integer fen.
 */
@Entity({ name: 'obligation_reconciliation' })
@Index('ix_obligation_reconciliation_period', ['begndate', 'enddate'])
export class ReconciliationRow {
  /** uuidv7: newest last. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 10 })
  begndate: string;

  @Column({ type: 'varchar', length: 10 })
  enddate: string;

  @Column({ name: 'run_trigger', type: 'varchar', length: 12 })
  trigger: ReconciliationTrigger;

  @Column({ name: 'requested_by', type: 'varchar', length: 100 })
  requestedBy: string;

  @Column({ type: 'varchar', length: 8 })
  state: ReconciliationState;

  @Column({ name: 'local_cnt', type: 'integer' })
  localCnt: number;

  @Column({ name: 'local_medfee_fen', type: 'bigint' })
  localMedfeeFen: number;

  @Column({ name: 'local_fund_fen', type: 'bigint' })
  localFundFen: number;

  @Column({ name: 'local_psn_fen', type: 'bigint' })
  localPsnFen: number;

  @Column({ name: 'insurer_cnt', type: 'integer', nullable: true })
  insurerCnt: number | null;

  @Column({ name: 'insurer_medfee_fen', type: 'bigint', nullable: true })
  insurerMedfeeFen: number | null;

  @Column({ name: 'insurer_fund_fen', type: 'bigint', nullable: true })
  insurerFundFen: number | null;

  @Column({ name: 'insurer_psn_fen', type: 'bigint', nullable: true })
  insurerPsnFen: number | null;

  /** The 3201 answer: '0' agree, '1' disagree. */
  @Column({ name: 'stmt_rslt', type: 'varchar', length: 1, nullable: true })
  stmtRslt: string | null;

  @Column({ name: 'stmt_rslt_dscr', type: 'text', nullable: true })
  stmtRsltDscr: string | null;

  /** The 3201 message's msgid. */
  @Column({ type: 'varchar', length: 30, nullable: true })
  msgid: string | null;

  /** SettlementDifference[] JSON ('[]' when none). */
  @Column({ type: 'text' })
  differences: string;

  /** Why the run failed (the insurer unreachable, an answer that could not be read). */
  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'started_at' })
  startedAt: Date;

  @Column({ name: 'finished_at' })
  finishedAt: Date;
}

export const DECLARATION_ENTITIES = [DeclarationRow, ReconciliationRow];

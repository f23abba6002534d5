import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Tables of the desk-agent registry (migration Agents). The agent's credential and the enrolment code
 * are never stored: only their hashes (agent-credential.ts says which hash and why).
 */

export const AGENT_STATES = ['active', 'revoked'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** A desk agent (`gateway agent` on a desk PC) the centre knows. */
@Entity({ name: 'agent' })
@Index('ix_agent_desk', ['desk'])
export class Agent {
  /** uuidv7; also the public part of the credential (gwa_<id without dashes>_<secret>). */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** What IT calls it, e.g. "门诊挂号3 PC". */
  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** The desk whose devices it hosts (the same desk names as devices[].desk). */
  @Column({ type: 'varchar', length: 40 })
  desk: string;

  @Column({ type: 'varchar', length: 16 })
  state: AgentState;

  /** Hex SHA-256 of the credential's secret (256 random bits, so a fast hash is enough). */
  @Column({ name: 'credential_hash', type: 'varchar', length: 64 })
  credentialHash: string;

  /** The desk PC's host name and agent version as it said at enrolment (informative only). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  hostname: string | null;

  @Column({ name: 'agent_version', type: 'varchar', length: 40, nullable: true })
  agentVersion: string | null;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'updated_at' })
  updatedAt: Date;

  @Column({ name: 'revoked_at', nullable: true, type: Date })
  revokedAt: Date | null;

  @Column({ name: 'revoked_by', type: 'varchar', length: 100, nullable: true })
  revokedBy: string | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 200, nullable: true })
  revokedReason: string | null;

  /** Last successful authentication (refreshed at most once a minute). */
  @Column({ name: 'last_seen_at', nullable: true, type: Date })
  lastSeenAt: Date | null;

  /** The address it last authenticated from. */
  @Column({ name: 'last_address', type: 'varchar', length: 64, nullable: true })
  lastAddress: string | null;

  /** The last journal seq of this agent's durable events the centre has passed on (the agent link). */
  @Column({ name: 'last_event_seq', type: 'bigint', default: 0 })
  lastEventSeq: number;
}

/** A one-time enrolment code IT gave out for a desk. */
@Entity({ name: 'agent_enrolment' })
export class AgentEnrolment {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Keyed hash (HMAC with the keyring's hash key) of the normalised code: finds the row. */
  @Index('ux_agent_enrolment_code', { unique: true })
  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ type: 'varchar', length: 40 })
  desk: string;

  /** The agent's name when IT chose one; else the desk PC's host name, else the desk. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  name: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'expires_at' })
  expiresAt: Date;

  @Column({ name: 'used_at', nullable: true, type: Date })
  usedAt: Date | null;

  @Column({ name: 'used_by_agent', type: 'varchar', length: 36, nullable: true })
  usedByAgent: string | null;
}

/** A durable event (a trace-code scan from an agent's journal) as the centre received it, once per (agent, seq). */
@Entity({ name: 'agent_event' })
export class AgentEvent {
  @PrimaryColumn({ name: 'agent_id', type: 'varchar', length: 36 })
  agentId: string;

  /** The agent journal's seq: 1, 2, 3 … per agent, never reused. */
  @PrimaryColumn({ type: 'bigint' })
  seq: number;

  /** The agent's desk when the event arrived. */
  @Column({ type: 'varchar', length: 40 })
  desk: string;

  @Column({ name: 'device_id', type: 'varchar', length: 64 })
  deviceId: string;

  /** What the scan was (trace-code, gs1, commodity-barcode, refused). */
  @Column({ type: 'varchar', length: 24 })
  kind: string;

  /** The scanned text (a drug's code: identity scans are never journalled). */
  @Column({ type: 'varchar', length: 512 })
  text: string;

  /** When the desk scanned it (the agent's clock), which may be long before it arrived. */
  @Column({ name: 'scanned_at' })
  scannedAt: Date;

  @Column({ name: 'received_at' })
  receivedAt: Date;

  /** Scanned while the link was down and delivered after it came back. */
  @Column({ type: 'boolean' })
  replayed: boolean;
}

export const AGENT_ENTITIES = [Agent, AgentEnrolment, AgentEvent];

import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Staff accounts and their sessions (migration Staff). Neither a password nor a session cookie is
 * stored: only the password's scrypt hash and the cookie's SHA-256.
 */

export const STAFF_STATES = ['active', 'disabled'] as const;
export type StaffState = (typeof STAFF_STATES)[number];

/** A person who logs in to the console. */
@Entity({ name: 'staff_user' })
export class StaffUser {
  /** uuidv7. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** Lower-case, 2 to 32 of [a-z0-9._-]; unique. */
  @Index('ux_staff_user_login', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  login: string;

  @Column({ name: 'display_name', type: 'varchar', length: 50 })
  displayName: string;

  /** desk | pharmacy | doctor | finance | it-admin | auditor (staff-roles.ts). */
  @Column({ type: 'simple-json' })
  roles: string[];

  /** The desks the person works at (the same names as devices[].desk). */
  @Column({ type: 'simple-json' })
  desks: string[];

  /** `scrypt$N$r$p$salt$hash` (staff-password.ts). */
  @Column({ name: 'password_hash', type: 'varchar', length: 200 })
  passwordHash: string;

  /** When the password was last set (create, IT reset, own change): it expires staff.passwordMaxAgeDays later. */
  @Column({ name: 'password_changed_at' })
  passwordChangedAt: Date;

  /** IT set the password (`gateway staff reset`): its owner must choose their own at the next login. */
  @Column({ name: 'password_must_change', type: 'boolean', default: false })
  passwordMustChange: boolean;

  @Column({ type: 'varchar', length: 16 })
  state: StaffState;

  /** Wrong passwords since the last success or lock. */
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts: number;

  @Column({ name: 'locked_until', nullable: true, type: Date })
  lockedUntil: Date | null;

  @Column({ name: 'last_login_at', nullable: true, type: Date })
  lastLoginAt: Date | null;

  @Column({ name: 'disabled_reason', type: 'varchar', length: 200, nullable: true })
  disabledReason: string | null;

  @Column({ name: 'created_at' })
  createdAt: Date;

  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy: string;

  @Column({ name: 'updated_at' })
  updatedAt: Date;
}

/** A logged-in browser. */
@Entity({ name: 'staff_session' })
@Index('ix_staff_session_staff', ['staffId'])
@Index('ix_staff_session_expires', ['expiresAt'])
export class StaffSession {
  /** Hex SHA-256 of the cookie value. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'staff_id', type: 'varchar', length: 36 })
  staffId: string;

  @Column({ name: 'csrf_token', type: 'varchar', length: 64 })
  csrfToken: string;

  @Column({ name: 'created_at' })
  createdAt: Date;

  /** The absolute end (login + staff.sessionMaxHours). */
  @Column({ name: 'expires_at' })
  expiresAt: Date;

  /** Idle expiry counts from here (refreshed at most once a minute). */
  @Column({ name: 'last_seen_at' })
  lastSeenAt: Date;

  /** The address the login came from. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  address: string | null;
}

export const STAFF_ENTITIES = [StaffUser, StaffSession];

import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SqlDialect } from '../database/sql-dialect';
import { StaffUser } from './staff.entity';

/** The `staff_user` table: every read and write of staff accounts. */
@Injectable()
export class StaffUserRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(user: StaffUser, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(StaffUser, manager.create(StaffUser, user));
  }

  async findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<StaffUser | null> {
    return manager.findOne(StaffUser, { where: { id } });
  }

  /** By the normalised (lower-case) login. */
  async findByLogin(login: string, manager: EntityManager = this.dataSource.manager): Promise<StaffUser | null> {
    return manager.findOne(StaffUser, { where: { login } });
  }

  /** By login; disabled accounts too. */
  async list(manager: EntityManager = this.dataSource.manager): Promise<StaffUser[]> {
    return manager.find(StaffUser, { order: { login: 'ASC' } });
  }

  /**
   * Counts one more wrong password and returns the new count, or null when the account is locked
   * (since the caller looked: by another instance, or a concurrent attempt) — a locked account counts
   * nothing. One conditional UPDATE, so that attempts on several instances at once all count (on
   * PostgreSQL the row stays locked until the caller's commit).
   */
  async countFailure(id: string, at: Date, manager: EntityManager): Promise<number | null> {
    const d = SqlDialect.of(manager);
    const b = d.binder();
    const { rows } = await d.run<{ failed_attempts: number | string }>(
      manager,
      `UPDATE staff_user SET failed_attempts = failed_attempts + 1, updated_at = ${b.bind(at)} ` +
        `WHERE id = ${b.bind(id)} AND (locked_until IS NULL OR locked_until <= ${b.bind(at)}) RETURNING failed_attempts`,
      b.params,
    );
    return rows.length === 0 ? null : Number(rows[0].failed_attempts);
  }

  /** Locks the account until `until`; the count starts again from zero after the lock. */
  async lock(id: string, until: Date, at: Date, manager: EntityManager): Promise<void> {
    await manager.update(StaffUser, { id }, { lockedUntil: until, failedAttempts: 0, updatedAt: at });
  }

  /** A successful login: the count and any past lock are cleared. */
  async recordLogin(id: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.update(StaffUser, { id }, { failedAttempts: 0, lockedUntil: null, lastLoginAt: at, updatedAt: at });
  }

  /**
   * A new password, set at `at`; the account is unlocked and the count cleared. `mustChange`: IT set it,
   * so its owner must choose their own at the next login.
   */
  async setPassword(
    id: string,
    passwordHash: string,
    at: Date,
    manager: EntityManager,
    { mustChange }: { mustChange: boolean },
  ): Promise<void> {
    await manager.update(
      StaffUser,
      { id },
      {
        passwordHash,
        passwordChangedAt: at,
        passwordMustChange: mustChange,
        failedAttempts: 0,
        lockedUntil: null,
        updatedAt: at,
      },
    );
  }

  async disable(id: string, reason: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.update(StaffUser, { id }, { state: 'disabled', disabledReason: reason, updatedAt: at });
  }
}

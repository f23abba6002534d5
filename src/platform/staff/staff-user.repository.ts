import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
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
   * Counts one more wrong password and returns the new count. One statement, so that two instances
   * counting at once both count (on PostgreSQL the row stays locked until the caller's commit).
   */
  async countFailure(id: string, at: Date, manager: EntityManager): Promise<number> {
    await manager.increment(StaffUser, { id }, 'failedAttempts', 1);
    await manager.update(StaffUser, { id }, { updatedAt: at });
    const row = await manager.findOne(StaffUser, { where: { id }, select: { id: true, failedAttempts: true } });
    return row?.failedAttempts ?? 0;
  }

  /** Locks the account until `until`; the count starts again from zero after the lock. */
  async lock(id: string, until: Date, at: Date, manager: EntityManager): Promise<void> {
    await manager.update(StaffUser, { id }, { lockedUntil: until, failedAttempts: 0, updatedAt: at });
  }

  /** A successful login: the count and any past lock are cleared. */
  async recordLogin(id: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.update(StaffUser, { id }, { failedAttempts: 0, lockedUntil: null, lastLoginAt: at, updatedAt: at });
  }

  /** A new password; the account is unlocked and the count cleared. */
  async setPassword(id: string, passwordHash: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.update(StaffUser, { id }, { passwordHash, failedAttempts: 0, lockedUntil: null, updatedAt: at });
  }

  async disable(id: string, reason: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.update(StaffUser, { id }, { state: 'disabled', disabledReason: reason, updatedAt: at });
  }
}

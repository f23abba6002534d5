import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, LessThan, Not } from 'typeorm';
import { StaffSession, StaffUser } from './staff.entity';

/** The `staff_session` table: every read and write of staff sessions. */
@Injectable()
export class StaffSessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(session: StaffSession, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(StaffSession, manager.create(StaffSession, session));
  }

  /** The session with its account, or null. */
  async findWithUser(
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<{ session: StaffSession; user: StaffUser } | null> {
    const session = await manager.findOne(StaffSession, { where: { id } });
    if (!session) {
      return null;
    }
    const user = await manager.findOne(StaffUser, { where: { id: session.staffId } });
    return user ? { session, user } : null;
  }

  /** Records activity, unless already recorded after `staleBefore` (one conditional statement, no write per request). */
  async touch(
    id: string,
    at: Date,
    staleBefore: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.update(StaffSession, { id, lastSeenAt: LessThan(staleBefore) }, { lastSeenAt: at });
  }

  async delete(id: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.delete(StaffSession, { id });
  }

  /** Ends every session of an account (a new password, a disabled account). */
  async deleteForStaff(staffId: string, manager: EntityManager = this.dataSource.manager): Promise<number> {
    const result = await manager.delete(StaffSession, { staffId });
    return result.affected ?? 0;
  }

  /** Ends every session of an account but `keepId` (the one that changed the password). */
  async deleteOthersForStaff(
    staffId: string,
    keepId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    const result = await manager.delete(StaffSession, { staffId, id: Not(keepId) });
    return result.affected ?? 0;
  }

  /** Removes sessions past their absolute end or idle since before `idleBefore`. */
  async deleteExpired(now: Date, idleBefore: Date, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.delete(StaffSession, { expiresAt: LessThan(now) });
    await manager.delete(StaffSession, { lastSeenAt: LessThan(idleBefore) });
  }
}

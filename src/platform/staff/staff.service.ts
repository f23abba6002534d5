import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../clock';
import { Transactions } from '../database/transactions';
import { AuditService } from '../audit/audit.service';
import type { ErrorDetail } from '../errors/domain-error';
import { uuidv7 } from '../ids';
import type { Principal } from '../auth/principal';
import { PLATFORM_ERRORS } from '../platform.errors';
import { generatePassword, hashPassword, passwordProblem } from './staff-password';
import { isStaffRole, STAFF_ROLES } from './staff-roles';
import { StaffSessionRepository } from './staff-session.repository';
import { StaffUserRepository } from './staff-user.repository';
import type { StaffUser } from './staff.entity';

export interface CreateStaffInput {
  login: string;
  displayName: string;
  roles: string[];
  desks?: string[];
  /** Omitted: a strong one is generated and returned once. */
  password?: string;
}

/** An account and, when the gateway chose it, the password to hand over (shown once, never stored). */
export interface StaffWithPassword {
  staff: StaffUser;
  password: string | undefined;
}

const LOGIN = /^[a-z0-9._-]{2,32}$/;

/** The login as stored: trimmed, lower-case. */
export function normaliseLogin(login: string): string {
  return login.trim().toLowerCase();
}

/** Staff accounts: create, list, reset, disable; each change audited under whoever made it. */
@Injectable()
export class StaffService {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: StaffUserRepository,
    private readonly sessions: StaffSessionRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<StaffUser[]> {
    return this.users.list();
  }

  async create(input: CreateStaffInput, by: Pick<Principal, 'type' | 'id'>): Promise<StaffWithPassword> {
    const login = normaliseLogin(input.login);
    const displayName = input.displayName.trim();
    const roles = [...new Set(input.roles.map((r) => r.trim()))];
    const desks = [...new Set((input.desks ?? []).map((d) => d.trim()).filter(Boolean))];
    const problems: ErrorDetail[] = [];
    if (!LOGIN.test(login)) {
      problems.push({ field: 'login', message: '登录名应为 2 到 32 个小写字母、数字或 . _ -' });
    }
    if (displayName.length < 1 || displayName.length > 50) {
      problems.push({ field: 'displayName', message: '姓名应为 1 到 50 个字符' });
    }
    if (roles.length === 0) {
      problems.push({ field: 'roles', message: `至少需要一个角色：${STAFF_ROLES.join(', ')}` });
    }
    for (const role of roles.filter((r) => !isStaffRole(r))) {
      problems.push({ field: 'roles', message: `未知的角色 ${role}，可选：${STAFF_ROLES.join(', ')}` });
    }
    if (desks.length > 50 || desks.some((d) => d.length > 40)) {
      problems.push({ field: 'desks', message: '工位最多 50 个，每个工位名称最多 40 个字符' });
    }
    if (problems.length > 0) {
      throw PLATFORM_ERRORS.raise('STAFF_INVALID', { details: problems });
    }
    const password = input.password ?? generatePassword();
    this.checkPassword(password);
    // Asked before the (deliberately slow) hash, and again in the transaction that inserts.
    await this.refuseTakenLogin(login);
    const passwordHash = await hashPassword(password);
    const now = this.clock.now();
    const staff: StaffUser = {
      id: uuidv7(now.getTime()),
      login,
      displayName,
      roles,
      desks,
      passwordHash,
      passwordChangedAt: now,
      passwordMustChange: false,
      state: 'active',
      failedAttempts: 0,
      lockedUntil: null,
      lastLoginAt: null,
      disabledReason: null,
      createdAt: now,
      createdBy: by.id,
      updatedAt: now,
    };
    await this.transactions.run(async (manager) => {
      await this.refuseTakenLogin(login, manager);
      await this.users.insert(staff, manager);
      await this.audit.record(
        { actor: by, action: 'staff.create', outcome: 'success', details: { staffId: staff.id, login, roles, desks } },
        manager,
      );
    });
    return { staff, password: input.password === undefined ? password : undefined };
  }

  /**
   * A new password (generated unless given); unlocks the account and ends its sessions. IT knows the
   * password, so its owner must choose their own at the next login (passwordChangeRequired).
   */
  async reset(idOrLogin: string, by: Pick<Principal, 'type' | 'id'>, newPassword?: string): Promise<StaffWithPassword> {
    const password = newPassword ?? generatePassword();
    this.checkPassword(password);
    const passwordHash = await hashPassword(password);
    const staff = await this.transactions.run(async (manager) => {
      const user = await this.find(idOrLogin, manager);
      const now = this.clock.now();
      await this.users.setPassword(user.id, passwordHash, now, manager, { mustChange: true });
      const ended = await this.sessions.deleteForStaff(user.id, manager);
      await this.audit.record(
        {
          actor: by,
          action: 'staff.reset',
          outcome: 'success',
          details: { staffId: user.id, login: user.login, wasLocked: user.lockedUntil !== null, sessionsEnded: ended },
        },
        manager,
      );
      return (await this.users.findById(user.id, manager)) as StaffUser;
    });
    return { staff, password: newPassword === undefined ? password : undefined };
  }

  /** Disables the account and ends its sessions; disabling a disabled account changes nothing. */
  async disable(idOrLogin: string, reason: string, by: Pick<Principal, 'type' | 'id'>): Promise<StaffUser> {
    return this.transactions.run(async (manager) => {
      const user = await this.find(idOrLogin, manager);
      if (user.state === 'disabled') {
        return user;
      }
      const why = reason.trim().slice(0, 200);
      await this.users.disable(user.id, why, this.clock.now(), manager);
      const ended = await this.sessions.deleteForStaff(user.id, manager);
      await this.audit.record(
        {
          actor: by,
          action: 'staff.disable',
          outcome: 'success',
          details: { staffId: user.id, login: user.login, reason: why, sessionsEnded: ended },
        },
        manager,
      );
      return (await this.users.findById(user.id, manager)) as StaffUser;
    });
  }

  private async find(idOrLogin: string, manager: EntityManager): Promise<StaffUser> {
    const user =
      (await this.users.findById(idOrLogin, manager)) ??
      (await this.users.findByLogin(normaliseLogin(idOrLogin), manager));
    if (!user) {
      throw PLATFORM_ERRORS.raise('STAFF_NOT_FOUND', { message: `没有员工账号 ${idOrLogin}：请核对账号编号或登录名` });
    }
    return user;
  }

  private async refuseTakenLogin(login: string, manager?: EntityManager): Promise<void> {
    if (await this.users.findByLogin(login, manager)) {
      throw PLATFORM_ERRORS.raise('STAFF_LOGIN_TAKEN', { message: `登录名 ${login} 已被使用：请换一个登录名` });
    }
  }

  private checkPassword(password: string): void {
    const problem = passwordProblem(password);
    if (problem) {
      throw PLATFORM_ERRORS.raise('STAFF_PASSWORD_WEAK', { details: [{ field: 'password', message: problem }] });
    }
  }
}

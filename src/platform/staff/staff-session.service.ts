import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { beijingMinute } from '../beijing-time';
import { Clock } from '../clock';
import { GatewayConfig } from '../config/gateway-config';
import { Transactions } from '../database/transactions';
import { PLATFORM_ERRORS } from '../platform.errors';
import type { Principal } from '../auth/principal';
import { csrfSatisfied, newCsrfToken, newSessionSecret, sessionIdOf } from './staff-cookie';
import { StaffDirectory } from './staff-directory';
import { rolesToScopes } from './staff-roles';
import { StaffSessionRepository } from './staff-session.repository';
import { StaffUserRepository } from './staff-user.repository';
import { normaliseLogin } from './staff.service';
import type { StaffSession, StaffUser } from './staff.entity';
import { hashPassword, passwordProblem, verifyPassword } from './staff-password';

/** A signed-in staff member as handlers see them (request.staff). */
export interface StaffContext {
  id: string;
  login: string;
  displayName: string;
  roles: string[];
  desks: string[];
  csrfToken: string;
  /** When the session ends if it stays idle from now (never after its absolute end). */
  expiresAt: Date;
  /**
   * The session may only read itself, change the password and log out: the password had expired at
   * the login, or IT had set it (`gateway staff reset`).
   */
  passwordChangeRequired: boolean;
  /** When the password expires (staff.passwordMaxAgeDays after it was set); null when passwords never expire. */
  passwordExpiresAt: Date | null;
  /** The password expires within PASSWORD_WARNING_DAYS (or has): the console says so. */
  passwordExpiresSoon: boolean;
}

/** What a session asks of authenticate(): by default one that must change its password is refused. */
export interface AuthenticateOptions {
  /** Only the session's own endpoints (read, change the password, log out) set this. */
  allowPasswordChange?: boolean;
}

/** Days before its expiry from which the console warns that the password must be changed soon. */
export const PASSWORD_WARNING_DAYS = 14;

/** A new session: what the browser keeps (the cookie) and what the page is told. */
export interface StartedSession {
  staff: StaffContext;
  cookieValue: string;
  /** Seconds until the absolute end: the cookie's Max-Age. */
  maxAgeSeconds: number;
}

/** last_seen_at is written at most this often: idle expiry is exact to this much. */
const TOUCH_EVERY_MS = 60_000;
/** The audit log's actor id is at most 100 characters; an attempted login is cut to this. */
const MAX_ATTEMPTED_LOGIN = 64;

export function staffPrincipal(staff: Pick<StaffContext, 'id' | 'displayName' | 'roles'>): Principal {
  return { type: 'staff', id: staff.id, name: staff.displayName, scopes: rolesToScopes(staff.roles) };
}

/**
 * Staff sign-in and sessions: login with lockout, the cookie's session on each request (idle and
 * absolute expiry, the CSRF rule), logout. Every login, failure, lock and logout is audited; a
 * password never is.
 */
@Injectable()
export class StaffSessionService {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: StaffUserRepository,
    private readonly sessions: StaffSessionRepository,
    private readonly directory: StaffDirectory,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: GatewayConfig,
  ) {}

  async login(input: { login: string; password: string }, address: string | null): Promise<StartedSession> {
    const login = normaliseLogin(input.login);
    const user = await this.users.findByLogin(login);
    const now = this.clock.now();
    if (user && user.state === 'active' && user.lockedUntil && user.lockedUntil > now) {
      await this.audit.record({
        actor: { type: 'staff', id: user.id },
        action: 'staff.login',
        outcome: 'denied',
        details: { login, reason: 'locked', lockedUntil: user.lockedUntil.toISOString(), address },
      });
      throw this.lockedError(user.lockedUntil);
    }
    // Always asked, whatever the account: a disabled or unknown login costs what a real one costs.
    const identity = await this.directory.verify(login, input.password);
    if (!user || user.state !== 'active' || !identity) {
      return this.refuse(login, user, address);
    }
    const { cookieValue, sessionId } = newSessionSecret();
    const maxMs = this.config.staff.sessionMaxHours * 3600_000;
    const session: StaffSession = {
      id: sessionId,
      staffId: user.id,
      csrfToken: newCsrfToken(),
      createdAt: now,
      expiresAt: new Date(now.getTime() + maxMs),
      lastSeenAt: now,
      address: address?.slice(0, 64) ?? null,
    };
    await this.transactions.run(async (manager) => {
      await this.sessions.deleteExpired(now, this.idleBefore(now), manager);
      await this.users.recordLogin(user.id, now, manager);
      await this.sessions.insert(session, manager);
      await this.audit.record(
        {
          actor: { type: 'staff', id: user.id },
          action: 'staff.login',
          outcome: 'success',
          details: { login, address },
        },
        manager,
      );
    });
    return { staff: this.context(user, session, now), cookieValue, maxAgeSeconds: maxMs / 1000 };
  }

  /**
   * The session a cookie names, for a request with `method` carrying `csrf` (the x-csrf-token header).
   * Throws STAFF_SESSION_MISSING (no cookie, unknown, expired, account disabled), CSRF_TOKEN_INVALID, or
   * STAFF_PASSWORD_EXPIRED for a session that must change its password first (unless `allowPasswordChange`).
   */
  async authenticate(
    cookieValue: string | undefined,
    method: string,
    csrf: string | string[] | undefined,
    options: AuthenticateOptions = {},
  ): Promise<StaffContext> {
    if (!cookieValue) {
      throw PLATFORM_ERRORS.raise('STAFF_SESSION_MISSING');
    }
    const found = await this.sessions.findWithUser(sessionIdOf(cookieValue));
    const now = this.clock.now();
    if (!found) {
      throw PLATFORM_ERRORS.raise('STAFF_SESSION_MISSING');
    }
    const { session, user } = found;
    if (now >= session.expiresAt || session.lastSeenAt <= this.idleBefore(now) || user.state !== 'active') {
      await this.sessions.delete(session.id);
      throw PLATFORM_ERRORS.raise('STAFF_SESSION_MISSING');
    }
    if (!csrfSatisfied(method, csrf, session.csrfToken)) {
      throw PLATFORM_ERRORS.raise('CSRF_TOKEN_INVALID');
    }
    // Write only when the row read above is due (the UPDATE keeps its own condition for concurrent
    // requests): most requests of a working session cost one read and no write.
    const staleBefore = new Date(now.getTime() - TOUCH_EVERY_MS);
    if (session.lastSeenAt < staleBefore) {
      await this.sessions.touch(session.id, now, staleBefore);
    }
    const context = this.context(user, session, now);
    if (context.passwordChangeRequired && !options.allowPasswordChange) {
      throw PLATFORM_ERRORS.raise('STAFF_PASSWORD_EXPIRED');
    }
    return context;
  }

  /**
   * The signed-in staff member changes their own password (needs the CSRF token). A wrong current
   * password counts toward the lockout as a wrong login does; the new one must pass passwordProblem()
   * and differ from the current one. The member's other sessions end; this one goes on, no longer
   * required to change. Audited as staff.password-change (never a password).
   */
  async changePassword(
    cookieValue: string | undefined,
    csrf: string | string[] | undefined,
    input: { currentPassword: string; newPassword: string },
    address: string | null,
  ): Promise<StaffContext> {
    const staff = await this.authenticate(cookieValue, 'POST', csrf, { allowPasswordChange: true });
    const sessionId = sessionIdOf(cookieValue as string);
    const user = await this.users.findById(staff.id);
    const now = this.clock.now();
    if (!user) {
      throw PLATFORM_ERRORS.raise('STAFF_SESSION_MISSING');
    }
    if (user.lockedUntil && user.lockedUntil > now) {
      await this.auditChange(user, 'denied', { reason: 'locked', address });
      throw this.lockedError(user.lockedUntil);
    }
    if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
      return this.refuseChange(user, address);
    }
    const problem = passwordProblem(input.newPassword);
    if (problem) {
      await this.auditChange(user, 'failure', { reason: 'weak', address });
      throw PLATFORM_ERRORS.raise('STAFF_PASSWORD_WEAK', { details: [{ field: 'newPassword', message: problem }] });
    }
    if (input.newPassword.normalize('NFC') === input.currentPassword.normalize('NFC')) {
      await this.auditChange(user, 'failure', { reason: 'reused', address });
      throw PLATFORM_ERRORS.raise('STAFF_PASSWORD_REUSED', {
        details: [{ field: 'newPassword', message: '新密码不能与当前密码相同' }],
      });
    }
    const passwordHash = await hashPassword(input.newPassword);
    const changedAt = this.clock.now();
    await this.transactions.run(async (manager) => {
      await this.users.setPassword(user.id, passwordHash, changedAt, manager, { mustChange: false });
      const ended = await this.sessions.deleteOthersForStaff(user.id, sessionId, manager);
      await this.auditChange(user, 'success', { sessionsEnded: ended, address }, manager);
    });
    const found = await this.sessions.findWithUser(sessionId);
    if (!found) {
      throw PLATFORM_ERRORS.raise('STAFF_SESSION_MISSING');
    }
    return this.context(found.user, found.session, changedAt);
  }

  /**
   * Whether the session a cookie names still holds (not expired, not idle past the limit, the account
   * active), without counting as use: an open desk page's WebSocket asks this now and then, and a page
   * merely left open must not keep its session alive.
   */
  async isActive(cookieValue: string): Promise<boolean> {
    const found = await this.sessions.findWithUser(sessionIdOf(cookieValue));
    if (!found) {
      return false;
    }
    const now = this.clock.now();
    const { session, user } = found;
    return now < session.expiresAt && session.lastSeenAt > this.idleBefore(now) && user.state === 'active';
  }

  /** Ends the session; audited under the staff member. */
  async logout(cookieValue: string | undefined, method: string, csrf: string | string[] | undefined): Promise<void> {
    const staff = await this.authenticate(cookieValue, method, csrf, { allowPasswordChange: true });
    await this.transactions.run(async (manager) => {
      await this.sessions.delete(sessionIdOf(cookieValue as string), manager);
      await this.audit.record(
        {
          actor: { type: 'staff', id: staff.id },
          action: 'staff.logout',
          outcome: 'success',
          details: { login: staff.login },
        },
        manager,
      );
    });
  }

  /** A wrong current password at a change: counted, and locked at staff.maxFailedLogins, as at a login. */
  private async refuseChange(user: StaffUser, address: string | null): Promise<never> {
    const now = this.clock.now();
    let lockedUntil: Date | undefined;
    await this.transactions.run(async (manager) => {
      lockedUntil = (await this.countWrongPassword(user, user.login, address, now, manager)).lockedUntil;
      await this.auditChange(user, 'failure', { reason: 'wrong-password', address }, manager);
    });
    throw lockedUntil ? this.lockedError(lockedUntil) : PLATFORM_ERRORS.raise('STAFF_PASSWORD_CURRENT_WRONG');
  }

  /**
   * Counts a wrong password against `user` and locks the account when it reaches
   * staff.maxFailedLogins (audited). `alreadyLocked`: locked since this attempt began (by another
   * instance, or a concurrent attempt), so nothing was counted. `lockedUntil`: the account is locked.
   */
  private async countWrongPassword(
    user: StaffUser,
    login: string,
    address: string | null,
    now: Date,
    manager: EntityManager,
  ): Promise<{ alreadyLocked: boolean; lockedUntil?: Date }> {
    const failures = await this.users.countFailure(user.id, now, manager);
    if (failures === null) {
      return {
        alreadyLocked: true,
        lockedUntil: (await this.users.findById(user.id, manager))?.lockedUntil ?? undefined,
      };
    }
    if (failures < this.config.staff.maxFailedLogins) {
      return { alreadyLocked: false };
    }
    const lockedUntil = new Date(now.getTime() + this.config.staff.lockoutMinutes * 60_000);
    await this.users.lock(user.id, lockedUntil, now, manager);
    await this.audit.record(
      {
        actor: { type: 'staff', id: user.id },
        action: 'staff.lockout',
        outcome: 'success',
        details: { login, failures, lockedUntil: lockedUntil.toISOString(), address },
      },
      manager,
    );
    return { alreadyLocked: false, lockedUntil };
  }

  private async auditChange(
    user: StaffUser,
    outcome: 'success' | 'failure' | 'denied',
    details: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<void> {
    await this.audit.record(
      {
        actor: { type: 'staff', id: user.id },
        action: 'staff.password-change',
        outcome,
        details: { login: user.login, ...details },
      },
      manager,
    );
  }

  private async refuse(login: string, user: StaffUser | null, address: string | null): Promise<never> {
    const now = this.clock.now();
    let reason = !user ? 'unknown-login' : user.state !== 'active' ? 'disabled' : 'wrong-password';
    let lockedUntil: Date | undefined;
    await this.transactions.run(async (manager) => {
      if (user && reason === 'wrong-password') {
        const counted = await this.countWrongPassword(user, login, address, now, manager);
        lockedUntil = counted.lockedUntil;
        if (counted.alreadyLocked) {
          reason = 'locked';
        }
      }
      await this.audit.record(
        {
          // An unknown login is recorded as typed (cut short): there is no account to name.
          actor: { type: 'staff', id: user ? user.id : `login:${login.slice(0, MAX_ATTEMPTED_LOGIN)}` },
          action: 'staff.login',
          outcome: 'failure',
          details: { login: login.slice(0, MAX_ATTEMPTED_LOGIN), reason, address },
        },
        manager,
      );
    });
    throw lockedUntil ? this.lockedError(lockedUntil) : PLATFORM_ERRORS.raise('STAFF_LOGIN_FAILED');
  }

  private lockedError(until: Date): Error {
    return PLATFORM_ERRORS.raise('STAFF_LOCKED', {
      message: `密码错误次数过多，账号已锁定至 ${beijingMinute(until)}（北京时间）：请到时再试，或请信息科重置密码`,
    });
  }

  private idleBefore(now: Date): Date {
    return new Date(now.getTime() - this.config.staff.sessionIdleMinutes * 60_000);
  }

  private context(user: StaffUser, session: StaffSession, now: Date): StaffContext {
    const idleEnd = now.getTime() + this.config.staff.sessionIdleMinutes * 60_000;
    const maxAgeDays = this.config.staff.passwordMaxAgeDays;
    const passwordExpiresAt =
      maxAgeDays > 0 ? new Date(user.passwordChangedAt.getTime() + maxAgeDays * 86_400_000) : null;
    return {
      id: user.id,
      login: user.login,
      displayName: user.displayName,
      roles: user.roles,
      desks: user.desks,
      csrfToken: session.csrfToken,
      expiresAt: new Date(Math.min(idleEnd, session.expiresAt.getTime())),
      // Decided by the login: a password that expires during a session does not stop the work under way.
      passwordChangeRequired:
        user.passwordMustChange || (passwordExpiresAt !== null && passwordExpiresAt <= session.createdAt),
      passwordExpiresAt,
      passwordExpiresSoon:
        passwordExpiresAt !== null && passwordExpiresAt.getTime() - now.getTime() <= PASSWORD_WARNING_DAYS * 86_400_000,
    };
  }
}

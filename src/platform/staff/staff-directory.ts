import { Injectable } from '@nestjs/common';
import { spendPasswordCheck, verifyPassword } from './staff-password';
import { StaffUserRepository } from './staff-user.repository';

/** Who the directory says the person is. */
export interface StaffIdentity {
  login: string;
}

/**
 * The seam for the hospital's directory (LDAP, OIDC) later: it answers only "is this the password of
 * this login?". Roles, desks, the account's state and the lockout stay in the gateway's own
 * `staff_user` row, so an account must exist here whichever directory checks the password.
 *
 * Contract: resolve the identity for the right password, null for a wrong one or an unknown login;
 * take about as long for an unknown login as for a known one (no timing oracle); never log the password.
 * The default is LocalStaffDirectory; a directory is swapped in by providing another StaffDirectory.
 */
export abstract class StaffDirectory {
  abstract verify(login: string, password: string): Promise<StaffIdentity | null>;
}

/** Passwords kept by the gateway itself (scrypt hashes in `staff_user`). */
@Injectable()
export class LocalStaffDirectory extends StaffDirectory {
  constructor(private readonly users: StaffUserRepository) {
    super();
  }

  async verify(login: string, password: string): Promise<StaffIdentity | null> {
    const user = await this.users.findByLogin(login);
    if (!user) {
      return spendPasswordCheck(password).then(() => null);
    }
    return (await verifyPassword(password, user.passwordHash)) ? { login: user.login } : null;
  }
}

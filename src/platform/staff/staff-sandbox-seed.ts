import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { systemPrincipal } from '../auth/principal';
import { GatewayConfig } from '../config/gateway-config';
import { CatalogueError } from '../errors/error-catalogue';
import { StaffUserRepository } from './staff-user.repository';
import { type CreateStaffInput, StaffService } from './staff.service';

/**
 * The demo accounts of the sandbox (docs/console.md), so that the console can be tried at once. Their
 * passwords are published, so they exist only with `staff.sandboxAccounts: true` in sandbox mode
 * (config check refuses the key in production).
 */
export const SANDBOX_STAFF: readonly (CreateStaffInput & { password: string })[] = [
  { login: 'desk1', displayName: '挂号员（沙箱）', roles: ['desk'], desks: ['门诊挂号1'], password: 'desk1-sandbox' },
  {
    login: 'pharmacy1',
    displayName: '药师（沙箱）',
    roles: ['pharmacy'],
    desks: ['西药房1'],
    password: 'pharmacy1-sandbox',
  },
  { login: 'it1', displayName: '信息科（沙箱）', roles: ['it-admin'], desks: [], password: 'it1-sandbox' },
  { login: 'finance1', displayName: '结算员（沙箱）', roles: ['finance'], desks: [], password: 'finance1-sandbox' },
  {
    login: 'doctor1',
    displayName: '医生（沙箱）',
    roles: ['doctor'],
    desks: ['门诊挂号1'],
    password: 'doctor1-sandbox',
  },
];

@Injectable()
export class StaffSandboxSeed implements OnApplicationBootstrap {
  private readonly logger = new Logger(StaffSandboxSeed.name);

  constructor(
    private readonly config: GatewayConfig,
    private readonly staff: StaffService,
    private readonly users: StaffUserRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.mode !== 'sandbox' || !this.config.staff.sandboxAccounts) {
      return;
    }
    // In parallel: each password hash takes a fifth of a second of a thread-pool thread.
    await Promise.all(SANDBOX_STAFF.map((account) => this.seed(account)));
  }

  private async seed(account: CreateStaffInput): Promise<void> {
    if (await this.users.findByLogin(account.login)) {
      return;
    }
    try {
      await this.staff.create(account, systemPrincipal('staff.sandbox-accounts'));
      this.logger.log(`sandbox staff account ${account.login} created (password in docs/console.md)`);
    } catch (e) {
      // Another instance on the same database made it first.
      if (!(e instanceof CatalogueError && e.code === 'STAFF_LOGIN_TAKEN')) {
        throw e;
      }
    }
  }
}

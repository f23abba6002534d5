import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { GatewayConfig, JobRunner } from '../../platform';
import { AuditResultsService } from './audit-results.service';

export const AUDIT_RESULTS_JOB = 'obligations.audit-results';

/**
 * Every `auditResults.intervalMs` (and at start): opens the audit-result duty of new settlements,
 * closes those of cancelled ones, and asks the insurer about the settlements whose time came
 * (AuditResultsService.run). Several instances may run it side by side: each question is claimed first.
 */
@Injectable()
export class AuditResultsJob implements OnApplicationBootstrap {
  private readonly logger = new Logger(AuditResultsJob.name);

  constructor(
    private readonly jobs: JobRunner,
    private readonly config: GatewayConfig,
    private readonly results: AuditResultsService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.register({
      name: AUDIT_RESULTS_JOB,
      intervalMs: this.config.auditResults.intervalMs,
      runAtStart: true,
      run: async () => {
        const s = await this.results.run();
        if (s.opened + s.closed + s.asked > 0) {
          this.logger.log(
            `audit results: ${s.opened} settlement(s) watched, ${s.closed} closed, ${s.asked} asked, ${s.recorded} result version(s) recorded`,
          );
        }
        return s;
      },
    });
  }
}

import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock, GatewayConfig, JobRunner } from '../platform';
import { LinkMonitor } from '../upstream/link-monitor';
import { IdentitySessionRepository } from './identity-session.repository';
import { IdentitySessionsService } from './identity-sessions.service';

export const COVERAGE_RECHECK_JOB = 'identity.coverage-recheck';

/**
 * Sessions decided offline (or whose QR code could not be decoded) are asked again once the insurer
 * answers: a background job every `upstream.emergency.probeIntervalMs`, and at once when the link
 * monitor sees the insurer back.
 */
@Injectable()
export class CoverageRecheckJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CoverageRecheckJob.name);
  private readonly onMode = (change: { mode: string }): void => {
    if (change.mode === 'normal') {
      this.jobs
        .runNow(COVERAGE_RECHECK_JOB)
        .catch((e: unknown) => this.logger.error({ err: e }, 'identity: re-check after recovery failed'));
    }
  };

  constructor(
    private readonly jobs: JobRunner,
    private readonly config: GatewayConfig,
    private readonly monitor: LinkMonitor,
    private readonly clock: Clock,
    private readonly repository: IdentitySessionRepository,
    private readonly sessions: IdentitySessionsService,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.register({
      name: COVERAGE_RECHECK_JOB,
      intervalMs: this.config.upstream.emergency.probeIntervalMs,
      run: () => this.run(),
    });
    this.monitor.on('mode', this.onMode);
  }

  onApplicationShutdown(): void {
    this.monitor.off('mode', this.onMode);
  }

  /** One round: the offline sessions, oldest first, until one is still offline (one probe per round is enough). */
  async run(): Promise<void> {
    for (const id of await this.repository.findOfflineIds(this.clock.now())) {
      if (await this.sessions.recheck(id)) {
        return;
      }
    }
  }
}

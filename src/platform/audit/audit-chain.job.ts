import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ClusterLocks } from '../cluster/cluster-locks';
import { GatewayConfig } from '../config/gateway-config';
import { JobRunner } from '../jobs/job-runner';
import { AuditChainService } from './audit-chain.service';

export const AUDIT_SEAL_JOB = 'audit.seal';
export const AUDIT_CHECKPOINT_JOB = 'audit.checkpoint';
export const AUDIT_RETENTION_JOB = 'audit.retention';
/** Every second: an entry is chained about a second after it commits. */
export const AUDIT_SEAL_INTERVAL_MS = 1000;
const DAY_MS = 86_400_000;

/**
 * The audit chain's background work: seal (every second, one sealer at a time across instances: the
 * job schedule's slot claim, and ClusterLocks' `audit.seal` for runs that outlast their slot),
 * checkpoint (every audit.checkpointMinutes) and retention (daily).
 */
@Injectable()
export class AuditChainJob implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobRunner,
    private readonly locks: ClusterLocks,
    private readonly chain: AuditChainService,
    private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.register({
      name: AUDIT_SEAL_JOB,
      intervalMs: AUDIT_SEAL_INTERVAL_MS,
      runAtStart: true,
      run: () => this.locks.run(AUDIT_SEAL_JOB, () => this.chain.sealPending()),
    });
    this.jobs.register({
      name: AUDIT_CHECKPOINT_JOB,
      intervalMs: this.config.audit.checkpointMinutes * 60_000,
      runAtStart: true,
      run: () => this.chain.checkpoint(),
    });
    this.jobs.register({
      name: AUDIT_RETENTION_JOB,
      intervalMs: DAY_MS,
      runAtStart: true,
      run: () => this.locks.run(AUDIT_SEAL_JOB, () => this.chain.prune()),
    });
  }
}

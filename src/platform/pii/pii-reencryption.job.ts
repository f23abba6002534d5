import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../clock';
import { GatewayConfig } from '../config/gateway-config';
import { Transactions } from '../database/transactions';
import { type ComponentHealth, type HealthContributor, HealthRegistry } from '../health/health.registry';
import { JobRunner } from '../jobs/job-runner';
import { PiiColumnRegistry } from './pii-columns';
import { PiiCryptoService } from './pii-crypto.service';
import { PiiReencryptionRepository } from './pii-reencryption.repository';
import { type ReencryptionBatch, PiiReencryptionService } from './pii-reencryption.service';

export const PII_REENCRYPT_JOB = 'pii.reencrypt';

/** How often the job looks again once done (rows an instance on an older keyring wrote meanwhile). */
const INTERVAL_MS = 10 * 60_000;

/** A progress line in the log every this many batches (and at each column's end). */
const LOG_EVERY_BATCHES = 25;

/**
 * After a rotation, moves the stored personal data to the active key in the background
 * (`pii.reencryptInBackground`): at start and every 10 minutes, batch after batch until every
 * encrypted column is done (PiiReencryptionService: resumable, safe beside the app and a second
 * instance). Progress goes to the log and to /health (`pii`: degraded when rows failed to move).
 */
@Injectable()
export class PiiReencryptionJob implements OnApplicationBootstrap, OnApplicationShutdown, HealthContributor {
  readonly name = 'pii';
  readonly critical = false;
  private readonly logger = new Logger(PiiReencryptionJob.name);
  private readonly service: PiiReencryptionService;
  private readonly progress = new PiiReencryptionRepository();
  private stopping = false;

  constructor(
    private readonly config: GatewayConfig,
    private readonly jobs: JobRunner,
    private readonly transactions: Transactions,
    private readonly pii: PiiCryptoService,
    columns: PiiColumnRegistry,
    clock: Clock,
    health: HealthRegistry,
  ) {
    this.service = new PiiReencryptionService(transactions, pii, columns.columns, clock);
    health.register(this);
  }

  onApplicationBootstrap(): void {
    if (this.config.pii.reencryptInBackground) {
      this.jobs.register({ name: PII_REENCRYPT_JOB, intervalMs: INTERVAL_MS, runAtStart: true, run: () => this.run() });
    }
  }

  onApplicationShutdown(): void {
    this.stopping = true;
  }

  /** Batches until every column is done (or shutdown); `observe` sees each batch too. */
  async run(observe?: (batch: ReencryptionBatch) => void): Promise<void> {
    let count = 0;
    await this.service.run({
      batchSize: this.config.pii.reencryptBatchSize,
      stopped: () => this.stopping,
      onBatch: (batch) => {
        count += 1;
        this.report(batch, count);
        observe?.(batch);
      },
    });
  }

  async check(): Promise<ComponentHealth> {
    const rows = await this.progress.all(this.transactions.reader);
    const current = rows.filter((p) => p.targetKey === this.pii.activeKeyId);
    const moving = current.filter((p) => p.finishedAt === null);
    const failed = current.reduce((n, p) => n + p.failed, 0);
    const state =
      moving.length === 0
        ? 'every encrypted column is on the active key'
        : `re-encrypting: ${moving.reduce((n, p) => n + p.moved, 0)} of ${moving.reduce((n, p) => n + p.toMove, 0)} rows moved`;
    return {
      status: failed > 0 ? 'degraded' : 'up',
      detail: `active key ${this.pii.activeKeyId} (${this.pii.activeAlgorithm}); ${state}${
        failed > 0 ? `; ${failed} row(s) failed to move — see: gateway pii status` : ''
      }`,
    };
  }

  private report(batch: ReencryptionBatch, count: number): void {
    if (batch.skipped !== undefined) {
      this.logger.warn(`pii re-encryption: ${batch.name} left alone — ${batch.skipped}`);
    } else if (batch.finished && batch.progress && batch.progress.toMove > 0) {
      const p = batch.progress;
      this.logger.log(`pii re-encryption: ${p.name} done, ${p.moved} of ${p.toMove} rows moved, ${p.failed} failed`);
    } else if (batch.failed > 0 || count % LOG_EVERY_BATCHES === 0) {
      this.logger.log(`pii re-encryption: ${batch.name} +${batch.moved} moved, +${batch.failed} failed`);
    }
  }
}

import { Injectable, Logger } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { Clock } from '../clock';
import { GatewayConfig } from '../config/gateway-config';
import { Transactions } from '../database/transactions';
import { chainHashOf, contentHashOf } from './audit-chain';
import { AuditChainRepository, type Checkpoint, type SealLink } from './audit-chain.repository';
import { writeAuditExport, type ExportSummary } from './audit-export';
import { retentionCutoff } from './audit-retention';

/** Entries sealed per statement (5 values each: well under SQLite's 32,766 parameters). */
export const SEAL_BATCH = 1000;
/** Batches per run at most, so one run never holds the job for long; the next tick goes on. */
const SEAL_BATCHES_PER_RUN = 50;
/** Entries pruned per transaction (each writes its anchor). */
const PRUNE_BATCH = 5000;
const HEX64 = /^[0-9a-f]{64}$/;

/** The log line an outside copy of the chain's head is taken from (keep its message stable). */
export const CHECKPOINT_LOG_MESSAGE = 'audit chain checkpoint';

/**
 * Seals, checkpoints and prunes the global audit chain. Appends never wait on it: they write their
 * content hash and go; the sealer later gives committed entries their seq and chain hash in one
 * UPDATE per batch. Only one sealer may run at a time (the caller holds ClusterLocks' `audit.seal`);
 * should two meet anyway, the unique seq index and the `seq IS NULL` guard roll one back.
 */
@Injectable()
export class AuditChainService {
  private readonly logger = new Logger('AuditChain');

  constructor(
    private readonly tx: Transactions,
    private readonly chain: AuditChainRepository,
    private readonly clock: Clock,
    private readonly config: GatewayConfig,
  ) {}

  /**
   * Seals entries committed and not sealed yet, in id order among those found, after the head of the
   * chain. An entry committed late (a smaller id than ones already sealed) is simply sealed later.
   * Answers how many were sealed.
   */
  async sealPending(): Promise<number> {
    let total = 0;
    for (let i = 0; i < SEAL_BATCHES_PER_RUN; i++) {
      const n = await this.tx.run(async (m) => {
        const pending = await this.chain.unsealed(m, SEAL_BATCH);
        if (pending.length === 0) {
          return 0;
        }
        let { seq, chainHash: prev } = await this.chain.head(m);
        const links: SealLink[] = pending.map((e) => {
          // Entries written before the chain existed (or by hand) have no content hash: it is taken now.
          const contentHash = e.contentHash !== null && HEX64.test(e.contentHash) ? e.contentHash : contentHashOf(e);
          seq += 1;
          const link = { id: e.id, seq, prevHash: prev, chainHash: chainHashOf(prev, contentHash), contentHash };
          prev = link.chainHash;
          return link;
        });
        await this.chain.seal(m, links);
        return links.length;
      });
      total += n;
      if (n < SEAL_BATCH) {
        break;
      }
    }
    return total;
  }

  /**
   * Writes the head of the chain to audit_checkpoint and to the log (info, message
   * CHECKPOINT_LOG_MESSAGE) when it moved since the last checkpoint. The log copy is the one kept
   * outside the database: `gateway audit verify --checkpoint <seq>:<hash>` checks the chain still reaches it.
   */
  async checkpoint(): Promise<Checkpoint | null> {
    const head = await this.chain.head();
    const last = await this.chain.latestCheckpoint('periodic');
    if (head.seq === 0 || (last !== null && last.seq >= head.seq)) {
      return null;
    }
    const written = await this.tx.run((m) => this.chain.insertCheckpoint(m, 'periodic', head, this.clock.now()));
    this.logger.log({ auditCheckpoint: { seq: written.seq, chainHash: written.chainHash } }, CHECKPOINT_LOG_MESSAGE);
    return written;
  }

  /**
   * Deletes sealed entries older than audit.retentionMonths, from the old end of the chain only: up to
   * the last seq before the first entry still to keep. Each batch writes, in its transaction, a `prune`
   * anchor (the last deleted seq and its chain hash) that verify then starts from. The database refuses
   * any entry younger than 6 months whatever the config says.
   */
  async prune(): Promise<{ deleted: number; anchor: Checkpoint | null; cutoff: Date }> {
    const cutoff = retentionCutoff(this.clock.now(), this.config.audit.retentionMonths);
    const firstKept = await this.chain.firstSeqFrom(cutoff);
    const head = await this.chain.head();
    const upTo = firstKept === null ? head.seq : firstKept - 1;
    let from = (await this.chain.latestCheckpoint('prune'))?.seq ?? 0;
    let deleted = 0;
    let anchor: Checkpoint | null = null;
    while (from < upTo) {
      const end = Math.min(from + PRUNE_BATCH, upTo);
      const last = await this.chain.at(end);
      if (last === null || last.chainHash === null) {
        throw new Error(
          `audit retention: entry seq ${end} is missing, so no anchor can be written; run gateway audit verify`,
        );
      }
      const start = from;
      const batch = await this.tx.run(async (m) => {
        const n = await this.chain.deleteSealed(m, start, end);
        const written = await this.chain.insertCheckpoint(
          m,
          'prune',
          { seq: end, chainHash: last.chainHash as string },
          this.clock.now(),
        );
        return { n, written };
      });
      deleted += batch.n;
      anchor = batch.written;
      from = end;
    }
    if (anchor !== null) {
      this.logger.log(
        { auditPrune: { deleted, cutoff: cutoff.toISOString(), seq: anchor.seq, chainHash: anchor.chainHash } },
        'audit entries past retention pruned',
      );
    }
    return { deleted, anchor, cutoff };
  }

  /** The entries of a period as JSON Lines with their chain hashes, written to `sink` (see writeAuditExport). */
  exportTo(period: { from: Date; to: Date }, sink: Writable): Promise<ExportSummary> {
    return writeAuditExport(this.chain, period, sink, this.clock.now());
  }
}

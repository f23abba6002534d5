import type { EntityManager } from 'typeorm';
import type { Clock } from '../clock';
import type { Transactions } from '../database/transactions';
import { type PiiColumn, piiColumnName, type PiiLookupColumn } from './pii-columns';
import type { PiiCryptoService } from './pii-crypto.service';
import { type PendingRow, PiiReencryptionRepository, type ReencryptionProgress } from './pii-reencryption.repository';

const IDLE_BATCHES_LIMIT = 3;

/** What one batch did. */
export interface ReencryptionBatch {
  readonly name: string;
  readonly moved: number;
  readonly failed: number;
  /** The column has no row left off the active key (or this instance must not move it: see `skipped`). */
  readonly done: boolean;
  /** This batch found the walk complete and marked the column done. */
  readonly finished?: boolean;
  /** Why this instance left the column alone (its keyring is older than the one the re-encryption moves to). */
  readonly skipped?: string;
  readonly progress?: ReencryptionProgress;
}

/** A column's rows per key, and its re-encryption progress. */
export interface PiiColumnStatus {
  readonly name: string;
  readonly encrypted: number;
  /** Rows per key id of the keyring (keyring order); `unknown`: rows on a key the keyring lacks. */
  readonly perKey: Readonly<Record<string, number>>;
  readonly unknown: number;
  /** Rows whose value is not a ciphertext: plaintext of a `legacyPlaintext` column, not yet moved. */
  readonly plaintext: number;
  readonly progress: ReencryptionProgress | undefined;
}

export interface ReencryptionRunOptions {
  readonly batchSize: number;
  /**
   * Stop after this many batches that had work in all (a test's simulated crash; the CLI's and the
   * job's runs go to the end). A look at a column already done, or at one with nothing to move, does not count.
   */
  readonly maxBatches?: number;
  readonly onBatch?: (batch: ReencryptionBatch) => void;
  /** Stops between batches when it returns true (shutdown). */
  readonly stopped?: () => boolean;
}

/**
 * Moves every encrypted column's rows to the active PII key after a rotation, in short batches: each
 * batch decrypts rows not on the active key, encrypts them again (same context), rewrites their keyed
 * hash with the active lookup key, and advances the column's progress (pii_reencryption) — all in one
 * transaction, so a run killed at any point resumes exactly where it stopped. Each row is rewritten
 * only if unchanged since it was read (`… WHERE id = ? AND col = <old ciphertext>`), and each batch
 * first locks its column's progress row, so the app's own writes and a second runner (another
 * instance's job, `gateway pii reencrypt`) are safe alongside. Lookups keep working throughout:
 * they compare with every lookup key's hash until the keyring drops the old key.
 */
export class PiiReencryptionService {
  private readonly repository = new PiiReencryptionRepository();

  constructor(
    private readonly transactions: Transactions,
    private readonly pii: PiiCryptoService,
    private readonly columns: readonly PiiColumn[],
    private readonly clock: Clock,
  ) {}

  /** Runs batches over every column until all are done (or `maxBatches`); answers the batches run. */
  async run(options: ReencryptionRunOptions): Promise<ReencryptionBatch[]> {
    const batches: ReencryptionBatch[] = [];
    let worked = 0;
    for (const column of this.columns) {
      // Batches that neither move nor fail a row only start a pass; several in a row would mean rows nothing can move.
      let idle = 0;
      for (;;) {
        if ((options.maxBatches !== undefined && worked >= options.maxBatches) || options.stopped?.()) {
          return batches;
        }
        const batch = await this.batch(column, options.batchSize);
        batches.push(batch);
        worked += didWork(batch) ? 1 : 0;
        options.onBatch?.(batch);
        idle = batch.moved === 0 && batch.failed === 0 ? idle + 1 : 0;
        if (batch.done || idle >= IDLE_BATCHES_LIMIT) {
          break;
        }
        // Let the app's requests in between batches.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return batches;
  }

  /** One batch of one column. */
  async batch(column: PiiColumn, batchSize: number): Promise<ReencryptionBatch> {
    const name = piiColumnName(column);
    const now = this.clock.now();
    const prefix = this.pii.activePrefix;
    const reader = this.transactions.reader;
    if (!(await this.repository.find(reader, name))) {
      const toMove = await this.repository.countNotOn(reader, column, prefix);
      await this.repository.ensure(reader, {
        name,
        targetKey: this.pii.activeKeyId,
        targetLookup: this.pii.activeLookupId,
        lastId: null,
        toMove,
        moved: 0,
        failed: 0,
        startedAt: now,
        updatedAt: now,
      });
    }
    return this.transactions.run(async (m) => {
      const progress = (await this.repository.lock(m, name, now)) as ReencryptionProgress;
      const skipped = this.staleKeyring(progress);
      if (skipped !== undefined) {
        return { name, moved: 0, failed: 0, done: true, skipped, progress };
      }
      if (progress.targetKey !== this.pii.activeKeyId || progress.targetLookup !== this.pii.activeLookupId) {
        const toMove = await this.repository.countNotOn(m, column, prefix);
        const target = { key: this.pii.activeKeyId, lookup: this.pii.activeLookupId, toMove };
        await this.repository.restart(m, name, target, now, false);
        return { name, moved: 0, failed: 0, done: false };
      }
      if (progress.finishedAt !== null) {
        return { name, moved: 0, failed: 0, done: true, progress };
      }
      const rows = await this.repository.pending(m, column, prefix, progress.lastId, batchSize);
      if (rows.length === 0) {
        return this.endOfPass(m, column, progress, now);
      }
      let moved = 0;
      let failed = 0;
      let lastFailure: string | null = null;
      for (const row of rows) {
        const outcome = await this.move(m, column, row);
        if (typeof outcome === 'number') {
          moved += outcome;
        } else {
          failed += 1;
          lastFailure = `${row.id}: ${outcome.failure}`.slice(0, 300);
        }
      }
      const step = { lastId: rows[rows.length - 1].id, moved, failed, lastFailure, finishedAt: null };
      await this.repository.advance(m, name, step);
      const after = {
        ...progress,
        lastId: step.lastId,
        moved: progress.moved + moved,
        failed: progress.failed + failed,
        lastFailure: lastFailure ?? progress.lastFailure,
      };
      return { name, moved, failed, done: false, progress: after };
    });
  }

  /** Rows per key and progress, per column. */
  async status(): Promise<PiiColumnStatus[]> {
    const m = this.transactions.reader;
    const progress = new Map((await this.repository.all(m)).map((p) => [p.name, p]));
    const out: PiiColumnStatus[] = [];
    for (const column of this.columns) {
      const perKey: Record<string, number> = {};
      let known = 0;
      for (const keyId of this.pii.keyIds) {
        perKey[keyId] = await this.repository.countOn(m, column, this.pii.prefixesOf(keyId));
        known += perKey[keyId];
      }
      const encrypted = await this.repository.countEncrypted(m, column);
      const plaintext = await this.repository.countPlaintext(m, column);
      const name = piiColumnName(column);
      out.push({
        name,
        encrypted,
        perKey,
        unknown: encrypted - known - plaintext,
        plaintext,
        progress: progress.get(name),
      });
    }
    return out;
  }

  /**
   * Why this instance must leave the column alone, if it must: the re-encryption moves rows to a key
   * this keyring does not have, or to one newer than this keyring's active key (an instance not yet
   * restarted with the rotated keyring would otherwise move rows back).
   */
  private staleKeyring(progress: ReencryptionProgress): string | undefined {
    const ids = this.pii.keyIds;
    const target = ids.indexOf(progress.targetKey);
    if (target === -1 || target > ids.indexOf(this.pii.activeKeyId)) {
      return `the re-encryption moves rows to key ${progress.targetKey}, newer than this keyring's active key ${this.pii.activeKeyId}: restart this instance with the rotated keyring`;
    }
    return undefined;
  }

  /** The walk reached the last row: done, unless rows were written behind it on an older key (an instance not yet restarted). */
  private async endOfPass(
    m: EntityManager,
    column: PiiColumn,
    progress: ReencryptionProgress,
    now: Date,
  ): Promise<ReencryptionBatch> {
    const remaining = await this.repository.countNotOn(m, column, this.pii.activePrefix);
    if (remaining > progress.failed) {
      const target = { key: progress.targetKey, lookup: progress.targetLookup, toMove: progress.moved + remaining };
      await this.repository.restart(m, progress.name, target, now, true);
      return { name: progress.name, moved: 0, failed: 0, done: false };
    }
    const step = { lastId: progress.lastId, moved: 0, failed: 0, lastFailure: null, finishedAt: now };
    await this.repository.advance(m, progress.name, step);
    return {
      name: progress.name,
      moved: 0,
      failed: 0,
      done: true,
      finished: true,
      progress: { ...progress, finishedAt: now },
    };
  }

  /**
   * Re-encrypts one row (encrypts it, when it is the plaintext of a `legacyPlaintext` column): 1 moved,
   * 0 changed meanwhile (by the app, with the active key), or why it failed.
   */
  private async move(m: EntityManager, column: PiiColumn, row: PendingRow): Promise<number | { failure: string }> {
    let plaintext: string;
    if (column.legacyPlaintext && this.pii.labelOf(row.ciphertext) === undefined) {
      plaintext = row.ciphertext;
    } else {
      try {
        plaintext = this.pii.decrypt(row.ciphertext, column.context);
      } catch (e) {
        return { failure: (e as Error).message };
      }
    }
    let hash: string | null = null;
    if (column.lookup && row.hash !== null) {
      const again = this.rehash(column.lookup, plaintext, row.hash);
      if (again === undefined) {
        return {
          failure: `its ${column.lookup.column} is the hash of no value in the ciphertext under any lookup key`,
        };
      }
      hash = again;
    }
    const ciphertext = this.pii.encrypt(plaintext, column.context);
    if (column.lookup?.column === column.idColumn && hash !== null && hash !== row.id) {
      // A table keyed by the hash (a cache per person): the person may have a row under the active key already.
      if (await this.repository.exists(m, column, hash)) {
        return this.repository.dropIfUnchanged(m, column, row);
      }
    }
    return this.repository.rewrite(m, column, row, ciphertext, hash);
  }

  /** The stored hash made again with the active lookup key: from the value in the plaintext it is the hash of. */
  private rehash(lookup: PiiLookupColumn, plaintext: string, stored: string): string | undefined {
    for (const candidate of lookup.candidates(plaintext)) {
      if (this.pii.hashes(candidate, lookup.domain).includes(stored)) {
        return this.pii.hash(candidate, lookup.domain);
      }
    }
    return undefined;
  }
}

/** Whether a batch counts towards `maxBatches`: not a look at a column already done, nor the end of a pass that found nothing to move. */
function didWork(batch: ReencryptionBatch): boolean {
  if (!batch.done) {
    return true;
  }
  const p = batch.progress;
  return batch.finished === true && p !== undefined && p.moved + p.failed > 0;
}

import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { ApiKey } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';

/** How the API-key cache keeps time; the defaults are what production uses. */
export interface ApiKeyCacheTiming {
  /** How often the refresher re-reads the cached rows (one query for all of them). */
  refreshEveryMs: number;
  /**
   * A cached row is used only while the read that produced it started less than this long ago;
   * an older one counts as a miss and the row is read again. This bounds how long a change made
   * elsewhere (another instance, the CLI) can go unseen, also when the refresher is late or the
   * database does not answer it: then every request reads its row, and fails if that fails.
   */
  maxAgeMs: number;
  /** A key not used for this long leaves the cache, so the refresher only asks about keys in use. */
  idleEvictMs: number;
  /** Monotonic milliseconds (performance.now): immune to wall-clock steps and pinned test clocks. */
  now: () => number;
}

export const API_KEY_CACHE_TIMING = Symbol('API_KEY_CACHE_TIMING');

export const DEFAULT_API_KEY_CACHE_TIMING: ApiKeyCacheTiming = {
  refreshEveryMs: 500,
  maxAgeMs: 1000,
  idleEvictMs: 10 * 60_000,
  now: () => performance.now(),
};

/** More keys than any hospital has; past it new keys are simply read per request. */
const MAX_ENTRIES = 1000;

interface Entry {
  key: ApiKey;
  /** When the read that produced `key` started (monotonic ms). */
  readAt: number;
  usedAt: number;
}

/**
 * The rows of verified API keys, held in memory so an authenticated request needs no database
 * round trip. Only a row whose secret a request proved is kept (an unknown id or a wrong secret
 * is never cached); the secret is still checked on every request against the row's hash.
 *
 * Changes made anywhere — a revocation on another gateway instance sharing the PostgreSQL, or
 * `gateway apikey revoke` run against the same SQLite file — are seen within `maxAgeMs` (1 s):
 * a refresher re-reads all cached rows with one query every `refreshEveryMs` (500 ms), and a row
 * whose last read is older than `maxAgeMs` is not used at all (fail closed: the request reads
 * the row itself, so a database that cannot be asked refuses the request rather than trusting
 * an old answer). Re-reading the rows rather than asking for a change watermark needs no extra
 * column, no trigger and no agreement between the instances' clocks, and also sees a deleted row.
 *
 * The refresher runs only while something is cached, never keeps the process alive (unref) and
 * stops when the application shuts down.
 */
@Injectable()
export class ApiKeyCache implements OnModuleDestroy {
  private readonly logger = new Logger(ApiKeyCache.name);
  private readonly timing: ApiKeyCacheTiming;
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private stopped = false;
  private failing = false;
  /** Reads started before the last forget() may predate that change: they are not cached. */
  private forgottenAt = -Infinity;

  constructor(
    private readonly rows: ApiKeyRepository,
    @Optional() @Inject(API_KEY_CACHE_TIMING) timing?: Partial<ApiKeyCacheTiming>,
  ) {
    this.timing = { ...DEFAULT_API_KEY_CACHE_TIMING, ...timing };
  }

  /**
   * The row of key `id`: the cached one while it is fresh, otherwise read from the database.
   * A row read here is cached only when `verified(row)` holds (the request proved the secret).
   * Null when there is no such key. Throws when the database cannot be read.
   */
  async find(id: string, verified: (key: ApiKey) => boolean): Promise<ApiKey | null> {
    const now = this.timing.now();
    const entry = this.entries.get(id);
    if (entry && now - entry.readAt < this.timing.maxAgeMs) {
      entry.usedAt = now;
      return entry.key;
    }
    const key = await this.rows.findById(id);
    if (!key) {
      this.entries.delete(id);
    } else if (verified(key)) {
      this.remember(key, now);
    }
    return key;
  }

  /** The cached row of key `id` while it is fresh, without reading the database; undefined otherwise. */
  peek(id: string): ApiKey | undefined {
    const now = this.timing.now();
    const entry = this.entries.get(id);
    if (entry && now - entry.readAt < this.timing.maxAgeMs) {
      entry.usedAt = now;
      return entry.key;
    }
    return undefined;
  }

  /** Drops a key at once (this process changed it; other processes see it through their refresher). */
  forget(id: string): void {
    this.forgottenAt = this.timing.now();
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Re-reads every cached row with one query (the refresher calls this; tests may too). Rows
   * gone from the table leave the cache. When the database does not answer, nothing changes
   * and the rows simply grow stale (see maxAgeMs).
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.reread().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  async onModuleDestroy(): Promise<void> {
    this.stop();
    await this.refreshing;
  }

  /** Stops the refresher for good and empties the cache (shutdown). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.entries.clear();
  }

  private remember(key: ApiKey, readAt: number): void {
    if (this.stopped || readAt <= this.forgottenAt) {
      return;
    }
    const current = this.entries.get(key.id);
    if (current && current.readAt > readAt) {
      return; // a later read already answered
    }
    if (!current && this.entries.size >= MAX_ENTRIES) {
      return;
    }
    this.entries.set(key.id, { key, readAt, usedAt: readAt });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.stopped || this.entries.size === 0) {
      return;
    }
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => {
        this.timer = undefined;
        this.schedule();
      });
    }, this.timing.refreshEveryMs);
    this.timer.unref();
  }

  private async reread(): Promise<void> {
    const now = this.timing.now();
    for (const [id, entry] of this.entries) {
      if (now - entry.usedAt > this.timing.idleEvictMs) {
        this.entries.delete(id);
      }
    }
    const ids = [...this.entries.keys()];
    if (ids.length === 0) {
      return;
    }
    let rows: ApiKey[];
    try {
      rows = await this.rows.findByIds(ids);
    } catch (err) {
      if (!this.failing) {
        this.failing = true;
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'API-key cache: the database did not answer; cached keys expire within a second and are then read per request',
        );
      }
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.logger.log('API-key cache: the database answers again');
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (!entry || entry.readAt > now) {
        continue; // forgotten meanwhile, or read again after this query started
      }
      const row = byId.get(id);
      if (row) {
        this.entries.set(id, { key: row, readAt: now, usedAt: entry.usedAt });
      } else {
        this.entries.delete(id);
      }
    }
  }
}

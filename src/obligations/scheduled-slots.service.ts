import { Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import { Clock, SqlDialect, Transactions } from '../platform';

/**
 * Runs a daily or monthly job once per schedule across instances: the job claims its slot
 * (`('settlement.reconciliation', '2026-12-02')`) by inserting (job, slot) into scheduled_slot; the
 * primary key lets exactly one insert through, on SQLite and on PostgreSQL alike. A claimed slot is
 * never claimed again, so a job that must be retried after a failure claims a new slot (e.g. with
 * an attempt suffix) or records its own progress.
 */
@Injectable()
export class ScheduledSlots {
  private readonly instance = `${hostname()}:${process.pid}`;

  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
  ) {}

  /** True for exactly one caller per (job, slot), whichever instance it is in. */
  async claim(job: string, slot: string): Promise<boolean> {
    const m = this.transactions.reader;
    const d = SqlDialect.of(m);
    const { affected } = await d.run(
      m,
      `INSERT INTO scheduled_slot (job, slot, claimed_by, claimed_at) VALUES ${d.values(1, 4)} ${d.upsert(['job', 'slot'])}`,
      [job.slice(0, 64), slot.slice(0, 32), this.instance, d.time(this.clock.now())],
    );
    return affected > 0;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SqlDialect } from '../database/sql-dialect';

/**
 * Each background job's schedule slot, shared by every gateway instance on the database
 * (job_schedule): time is cut into slots of the job's interval (`floor(now / intervalMs)`), and the
 * instance whose conditional UPDATE moves `last_slot` forward runs that slot; the others find it
 * taken. A lease (`lease_until`) keeps a slow run from being joined by another instance's next slot
 * while it is still going; a crashed holder's lease simply runs out.
 */
@Injectable()
export class JobScheduleRepository {
  /** Jobs whose row is known to exist: their claims are one statement. */
  private readonly known = new Set<string>();

  constructor(private readonly dataSource: DataSource) {}

  /** Several instances may share this database (PostgreSQL); SQLite is one instance by design. */
  get shared(): boolean {
    return SqlDialect.of(this.dataSource).pg;
  }

  /**
   * Claims `slot` of job `name` for `holder`: true for exactly one caller per slot, and only when no
   * other run's lease is still current (`now` < its lease_until).
   */
  async claim(name: string, slot: number, holder: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const m = this.dataSource.manager;
    const d = SqlDialect.of(m);
    if (!this.known.has(name)) {
      await d.run(
        m,
        `INSERT INTO job_schedule (name, last_slot, holder, lease_until, claimed_at) VALUES (${d.list(2)}, NULL, NULL, NULL) ${d.upsert(['name'])}`,
        [name, -1],
      );
      this.known.add(name);
    }
    const b = d.binder();
    const sql =
      `UPDATE job_schedule SET last_slot = ${b.bind(slot)}, holder = ${b.bind(holder)}, ` +
      `lease_until = ${b.bind(leaseUntil)}, claimed_at = ${b.bind(now)} ` +
      `WHERE name = ${b.bind(name)} AND last_slot < ${b.bind(slot)} ` +
      `AND (lease_until IS NULL OR lease_until <= ${b.bind(now)})`;
    const { affected } = await d.run(m, sql, b.params);
    return affected === 1;
  }

  /** The run of `holder` ended: its lease no longer holds the next slot back. */
  async release(name: string, holder: string): Promise<void> {
    const m = this.dataSource.manager;
    const d = SqlDialect.of(m);
    await d.run(m, `UPDATE job_schedule SET lease_until = NULL WHERE name = ${d.p(1)} AND holder = ${d.p(2)}`, [
      name,
      holder,
    ]);
  }
}

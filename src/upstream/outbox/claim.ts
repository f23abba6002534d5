import { DataSource } from 'typeorm';
import { OutboxMessage } from './outbox-message.entity';

/**
 * Takes up to `limit` due messages for this instance. A message is due when it is pending or
 * unknown and its time has come, or when it is `sending` under a lease that ran out (its
 * instance died mid-send: it becomes a query-first message). A message waits while an earlier
 * message with the same subject key is unfinished.
 *
 * PostgreSQL: `FOR UPDATE SKIP LOCKED` lets several instances claim side by side without
 * waiting on or double-taking each other's rows. SQLite: one process owns the file and the
 * statement runs in one write transaction.
 */
export async function claimDue(dataSource: DataSource, instanceId: string, now: Date, leaseUntil: Date, limit: number): Promise<OutboxMessage[]> {
  const pg = dataSource.options.type === 'postgres';
  // Each placeholder gets its own parameter, so the same SQL works with $n and with ?.
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    // SQLite compares the stored datetime text, so pass times in the format TypeORM writes.
    params.push(!pg && value instanceof Date ? sqliteTime(value) : value);
    return pg ? `$${params.length}` : '?';
  };
  const sql = `
    UPDATE outbox_message SET
      query_first = CASE WHEN status IN ('unknown', 'sending') THEN ${pg ? 'true' : '1'} ELSE query_first END,
      status = 'sending', claimed_by = ${bind(instanceId)}, lease_until = ${bind(leaseUntil)}, updated_at = ${bind(now)}
    WHERE id IN (
      SELECT m.id FROM outbox_message m
      WHERE ((m.status IN ('pending', 'unknown') AND m.next_attempt_at <= ${bind(now)})
             OR (m.status = 'sending' AND m.lease_until < ${bind(now)}))
        AND NOT (m.subject_key IS NOT NULL AND EXISTS (
          SELECT 1 FROM outbox_message e
          WHERE e.subject_key = m.subject_key AND e.id < m.id
            AND e.status IN ('pending', 'unknown', 'sending')))
      ORDER BY m.next_attempt_at, m.id
      LIMIT ${bind(limit)}
      ${pg ? 'FOR UPDATE SKIP LOCKED' : ''})
    RETURNING id`;
  const result = await dataSource.transaction((manager) => manager.query<unknown>(sql, params));
  // TypeORM answers UPDATE … RETURNING with [rows, count] on PostgreSQL and with rows on SQLite.
  const rows = (pg ? (result as [{ id: string }[], number])[0] : result) as { id: string }[];
  if (rows.length === 0) {
    return [];
  }
  const ids = rows.map((r) => r.id);
  const claimed = await dataSource.getRepository(OutboxMessage).findBy(ids.map((id) => ({ id })));
  return claimed.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** TypeORM stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.SSS' in UTC. */
export function sqliteTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

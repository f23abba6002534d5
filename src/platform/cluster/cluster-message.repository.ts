import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SqlDialect } from '../database/sql-dialect';

/** How long a stored cluster message is kept for the other instances to fetch. */
export const CLUSTER_MESSAGE_KEEP_MS = 60_000;

/**
 * PostgreSQL NOTIFY, and the table (cluster_message) for messages larger than a notification may
 * carry: the notification then names the row. Rows are pruned as new ones are written.
 */
@Injectable()
export class ClusterMessageRepository {
  constructor(private readonly dataSource: DataSource) {}

  async notify(channel: string, payload: string): Promise<void> {
    await this.dataSource.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async insert(row: { id: string; topic: string; origin: string; body: string; createdAt: Date }): Promise<void> {
    const m = this.dataSource.manager;
    const d = SqlDialect.of(m);
    await d.run(m, `DELETE FROM cluster_message WHERE created_at < ${d.p(1)}`, [
      d.time(new Date(row.createdAt.getTime() - CLUSTER_MESSAGE_KEEP_MS)),
    ]);
    await d.run(m, `INSERT INTO cluster_message (id, topic, origin, body, created_at) VALUES (${d.list(5)})`, [
      row.id,
      row.topic,
      row.origin,
      row.body,
      d.time(row.createdAt),
    ]);
  }

  async body(id: string): Promise<string | undefined> {
    const m = this.dataSource.manager;
    const d = SqlDialect.of(m);
    const { rows } = await d.run<{ body: string }>(m, `SELECT body FROM cluster_message WHERE id = ${d.p(1)}`, [id]);
    return rows[0]?.body;
  }
}

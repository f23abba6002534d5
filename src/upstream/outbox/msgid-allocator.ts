import { EntityManager } from 'typeorm';
import { beijingTimestamp, formatMsgid, MAX_SEQUENCE_PER_SECOND } from '../protocol/msgid';

/**
 * Hands out msgids that cannot repeat: the per-second sequence lives in the database and is
 * advanced with one atomic upsert, so every instance sharing the database draws from the same
 * counter, and a process restarted within the same second continues after the crashed one.
 * A second whose 9999 numbers are used up spills into the next second.
 */
export async function allocateMsgids(manager: EntityManager, fixmedinsCode: string, now: Date, count: number): Promise<string[]> {
  const ids: string[] = [];
  let at = now.getTime();
  while (ids.length < count) {
    const second = beijingTimestamp(new Date(at));
    const want = Math.min(count - ids.length, MAX_SEQUENCE_PER_SECOND);
    const last = await advance(manager, second, want);
    const first = last - want + 1;
    if (first <= MAX_SEQUENCE_PER_SECOND) {
      for (let n = first; n <= Math.min(last, MAX_SEQUENCE_PER_SECOND); n++) {
        ids.push(formatMsgid(fixmedinsCode, second, n));
      }
    }
    at += 1000;
  }
  return ids;
}

async function advance(manager: EntityManager, second: string, by: number): Promise<number> {
  const pg = manager.connection.options.type === 'postgres';
  const sql = pg
    ? `INSERT INTO msgid_sequence (second, last_value) VALUES ($1, $2)
       ON CONFLICT (second) DO UPDATE SET last_value = msgid_sequence.last_value + EXCLUDED.last_value
       RETURNING last_value`
    : `INSERT INTO msgid_sequence (second, last_value) VALUES (?, ?)
       ON CONFLICT (second) DO UPDATE SET last_value = msgid_sequence.last_value + excluded.last_value
       RETURNING last_value`;
  const rows = await manager.query<{ last_value: number | string }[]>(sql, [second, by]);
  return Number(rows[0].last_value);
}

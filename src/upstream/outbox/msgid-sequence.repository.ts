import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SqlDialect } from '../../platform';
import { MsgidSequence } from './msgid-sequence.entity';

/** The per-second msgid counters every instance sharing the database draws from. */
@Injectable()
export class MsgidSequenceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Advances the counter of `second` by `by` in one atomic upsert and answers its new last value:
   * the numbers `last - by + 1 … last` are this caller's alone, on every instance.
   */
  async advance(manager: EntityManager, second: string, by: number): Promise<number> {
    const sql = SqlDialect.of(manager);
    const { rows } = await sql.run<{ last_value: number | string }>(
      manager,
      `INSERT INTO msgid_sequence (second, last_value) VALUES ${sql.values(1, 2)}
       ${sql.upsert(['second'], { last_value: 'msgid_sequence.last_value + excluded.last_value' })}
       RETURNING last_value`,
      [second, by],
    );
    return Number(rows[0].last_value);
  }

  /** Drops the counters of seconds before `second` (they can never be drawn from again). */
  async pruneBefore(second: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.createQueryBuilder().delete().from(MsgidSequence).where('second < :second', { second }).execute();
  }
}

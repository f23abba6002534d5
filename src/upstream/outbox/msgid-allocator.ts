import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { beijingTimestamp, formatMsgid, MAX_SEQUENCE_PER_SECOND } from '../protocol/msgid';
import { MsgidSequenceRepository } from './msgid-sequence.repository';

/**
 * Hands out msgids that cannot repeat: the per-second sequence lives in the database and is
 * advanced with one atomic upsert, so every instance sharing the database draws from the same
 * counter, and a process restarted within the same second continues after the crashed one.
 * A second whose 9999 numbers are used up spills into the next second.
 */
@Injectable()
export class MsgidAllocator {
  constructor(private readonly sequences: MsgidSequenceRepository) {}

  async allocate(manager: EntityManager, fixmedinsCode: string, now: Date, count: number): Promise<string[]> {
    const ids: string[] = [];
    let at = now.getTime();
    while (ids.length < count) {
      const second = beijingTimestamp(new Date(at));
      const want = Math.min(count - ids.length, MAX_SEQUENCE_PER_SECOND);
      const last = await this.sequences.advance(manager, second, want);
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
}

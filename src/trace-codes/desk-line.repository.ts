import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeskLine } from './trace-codes.entity';

/** trace_desk_line: the line each pharmacy desk dispenses now (its scanner's codes go there). */
@Injectable()
export class DeskLineRepository {
  async set(m: EntityManager, desk: DeskLine): Promise<void> {
    await m.getRepository(DeskLine).save(desk);
  }

  async of(m: EntityManager, desk: string): Promise<DeskLine | null> {
    return m.getRepository(DeskLine).findOneBy({ desk });
  }
}

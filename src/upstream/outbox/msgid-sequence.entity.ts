import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last msgid sequence number handed out in each second (shared by every instance). */
@Entity({ name: 'msgid_sequence' })
export class MsgidSequence {
  @PrimaryColumn({ type: 'varchar', length: 14 })
  second: string;

  @Column({ name: 'last_value', type: 'integer' })
  lastValue: number;
}

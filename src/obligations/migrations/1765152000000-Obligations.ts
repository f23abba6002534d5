import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/**
 * The duties with deadlines (docs/obligations.md): `obligation` (one row per duty: kind + subject
 * unique, the due day as 'yyyy-MM-dd' Beijing, state, attempts, evidence JSON) and `scheduled_slot`
 * (the (job, slot) pairs daily and monthly jobs claimed, so each runs once across instances).
 */
export class Obligations1765152000000 implements MigrationInterface {
  name = 'Obligations1765152000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'obligation',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'subject_type', type: 'varchar', length: '16' },
          { name: 'subject_id', type: 'varchar', length: '64' },
          { name: 'owed_by', type: 'varchar', length: '16' },
          { name: 'rule', type: 'varchar', length: '200' },
          { name: 'due_on', type: 'varchar', length: '10' },
          { name: 'due_confirmed', type: 'boolean' },
          { name: 'state', type: 'varchar', length: '8' },
          { name: 'opened_at', type: ts },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'last_attempt_at', type: ts, isNullable: true },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'fulfilled_at', type: ts, isNullable: true },
          { name: 'evidence', type: 'text', isNullable: true },
          { name: 'detail', type: 'text', isNullable: true },
          { name: 'waived_reason', type: 'text', isNullable: true },
          { name: 'waived_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'waived_at', type: ts, isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'obligation',
      new TableIndex({ name: 'ux_obligation_subject', columnNames: ['kind', 'subject_id'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'obligation',
      new TableIndex({ name: 'ix_obligation_state_due', columnNames: ['state', 'due_on'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'scheduled_slot',
        columns: [
          { name: 'job', type: 'varchar', length: '64', isPrimary: true },
          { name: 'slot', type: 'varchar', length: '32', isPrimary: true },
          { name: 'claimed_by', type: 'varchar', length: '100' },
          { name: 'claimed_at', type: ts },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('scheduled_slot');
    await queryRunner.dropTable('obligation');
  }
}

import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/** The insurer outbox: messages, their attempts, and the msgid sequence. */
export class Outbox1764115200000 implements MigrationInterface {
  name = 'Outbox1764115200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'outbox_message',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'msgid', type: 'varchar', length: '30', isUnique: true },
          { name: 'infno', type: 'varchar', length: '8' },
          { name: 'subject_key', type: 'varchar', length: '100', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'draft', type: 'text', isNullable: true },
          { name: 'envelope', type: 'text', isNullable: true },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'next_attempt_at', type: ts },
          { name: 'claimed_by', type: 'varchar', length: '64', isNullable: true },
          { name: 'lease_until', type: ts, isNullable: true },
          { name: 'query_first', type: 'boolean', default: false },
          { name: 'infcode', type: 'integer', isNullable: true },
          { name: 'reply', type: 'text', isNullable: true },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'created_at', type: ts },
          { name: 'updated_at', type: ts },
          { name: 'finished_at', type: ts, isNullable: true },
          { name: 'cancel_reason', type: 'varchar', length: '200', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'outbox_message',
      new TableIndex({ name: 'ix_outbox_due', columnNames: ['status', 'next_attempt_at'] }),
    );
    await queryRunner.createIndex(
      'outbox_message',
      new TableIndex({ name: 'ix_outbox_subject', columnNames: ['subject_key', 'id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'outbox_attempt',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'message_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '8' },
          { name: 'instance_id', type: 'varchar', length: '64' },
          { name: 'started_at', type: ts },
          { name: 'latency_ms', type: 'integer' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'http_status', type: 'integer', isNullable: true },
          { name: 'detail', type: 'text', isNullable: true },
        ],
        foreignKeys: [
          { columnNames: ['message_id'], referencedTableName: 'outbox_message', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await queryRunner.createIndex(
      'outbox_attempt',
      new TableIndex({ name: 'ix_outbox_attempt_message', columnNames: ['message_id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'msgid_sequence',
        columns: [
          { name: 'second', type: 'varchar', length: '14', isPrimary: true },
          { name: 'last_value', type: 'integer' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbox_attempt');
    await queryRunner.dropTable('outbox_message');
    await queryRunner.dropTable('msgid_sequence');
  }
}

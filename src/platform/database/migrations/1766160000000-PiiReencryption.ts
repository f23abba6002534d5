import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timestampType } from './column-types';

/**
 * The progress of re-encrypting each encrypted column to the active PII key (after `gateway pii
 * rotate`): the key it moves rows to, where the walk is (last_id: the last row id done), and counts.
 * Written in the same transaction as each batch of rows, so a killed run resumes where it stopped.
 */
export class PiiReencryption1766160000000 implements MigrationInterface {
  name = 'PiiReencryption1766160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'pii_reencryption',
        columns: [
          { name: 'name', type: 'varchar', length: '130', isPrimary: true },
          { name: 'target_key', type: 'varchar', length: '32' },
          { name: 'target_lookup', type: 'varchar', length: '32' },
          { name: 'last_id', type: 'varchar', length: '200', isNullable: true },
          { name: 'to_move', type: 'integer' },
          { name: 'moved', type: 'integer' },
          { name: 'failed', type: 'integer' },
          { name: 'last_failure', type: 'varchar', length: '300', isNullable: true },
          { name: 'started_at', type: ts },
          { name: 'updated_at', type: ts },
          { name: 'finished_at', type: ts, isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('pii_reencryption');
  }
}

import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/**
 * What several gateway instances on one database share beyond the data itself: each background job's
 * last claimed schedule slot and lease (job_schedule: a job runs once per slot across instances), and
 * desk events too large for a PostgreSQL notification (cluster_message, sealed, kept a minute).
 */
export class Cluster1766016000000 implements MigrationInterface {
  name = 'Cluster1766016000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'job_schedule',
        columns: [
          { name: 'name', type: 'varchar', length: '100', isPrimary: true },
          { name: 'last_slot', type: 'bigint' },
          { name: 'holder', type: 'varchar', length: '100', isNullable: true },
          { name: 'lease_until', type: ts, isNullable: true },
          { name: 'claimed_at', type: ts, isNullable: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'cluster_message',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'topic', type: 'varchar', length: '64' },
          { name: 'origin', type: 'varchar', length: '36' },
          { name: 'body', type: 'text' },
          { name: 'created_at', type: ts },
        ],
      }),
    );
    await queryRunner.createIndex(
      'cluster_message',
      new TableIndex({ name: 'ix_cluster_message_created', columnNames: ['created_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('cluster_message');
    await queryRunner.dropTable('job_schedule');
  }
}

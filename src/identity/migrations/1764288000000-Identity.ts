import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/** Identity verification: sessions (evidence encrypted) and the per-person coverage cache. */
export class Identity1764288000000 implements MigrationInterface {
  name = 'Identity1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'identity_session',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'desk', type: 'varchar', length: '40' },
          { name: 'visit_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'visit_kind', type: 'varchar', length: '16' },
          { name: 'subject_key', type: 'varchar', length: '100', isNullable: true },
          { name: 'evidence', type: 'text' },
          { name: 'verdict', type: 'varchar', length: '16' },
          { name: 'offline', type: 'boolean', default: false },
          { name: 'coverage', type: 'varchar', length: '16' },
          { name: 'result', type: 'text' },
          { name: 'token', type: 'text', isNullable: true },
          { name: 'token_expires_at', type: ts, isNullable: true },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'created_at', type: ts },
          { name: 'updated_at', type: ts },
          { name: 'expires_at', type: ts },
        ],
      }),
    );
    await queryRunner.createIndex(
      'identity_session',
      new TableIndex({ name: 'ix_identity_session_desk', columnNames: ['desk', 'created_at'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_coverage_cache',
        columns: [
          { name: 'subject_key', type: 'varchar', length: '100', isPrimary: true },
          { name: 'answer', type: 'text' },
          { name: 'fetched_at', type: ts },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_coverage_cache');
    await queryRunner.dropTable('identity_session');
  }
}

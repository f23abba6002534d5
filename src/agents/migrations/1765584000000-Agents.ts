import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/** The desk-agent registry: agents (credential hash only) and one-time enrolment codes (hash only). */
export class Agents1765584000000 implements MigrationInterface {
  name = 'Agents1765584000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'agent',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'desk', type: 'varchar', length: '40' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'credential_hash', type: 'varchar', length: '64' },
          { name: 'hostname', type: 'varchar', length: '100', isNullable: true },
          { name: 'agent_version', type: 'varchar', length: '40', isNullable: true },
          { name: 'created_at', type: ts },
          { name: 'updated_at', type: ts },
          { name: 'revoked_at', type: ts, isNullable: true },
          { name: 'revoked_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'revoked_reason', type: 'varchar', length: '200', isNullable: true },
          { name: 'last_seen_at', type: ts, isNullable: true },
          { name: 'last_address', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex('agent', new TableIndex({ name: 'ix_agent_desk', columnNames: ['desk'] }));
    await queryRunner.createTable(
      new Table({
        name: 'agent_enrolment',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'code_hash', type: 'varchar', length: '64' },
          { name: 'desk', type: 'varchar', length: '40' },
          { name: 'name', type: 'varchar', length: '100', isNullable: true },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'created_at', type: ts },
          { name: 'expires_at', type: ts },
          { name: 'used_at', type: ts, isNullable: true },
          { name: 'used_by_agent', type: 'varchar', length: '36', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'agent_enrolment',
      new TableIndex({ name: 'ux_agent_enrolment_code', columnNames: ['code_hash'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('agent_enrolment');
    await queryRunner.dropTable('agent');
  }
}

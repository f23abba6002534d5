import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/** Staff accounts of the console (password hash only) and their sessions (cookie hash only). */
export class Staff1765843200000 implements MigrationInterface {
  name = 'Staff1765843200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'staff_user',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'login', type: 'varchar', length: '32' },
          { name: 'display_name', type: 'varchar', length: '50' },
          { name: 'roles', type: 'text' },
          { name: 'desks', type: 'text' },
          { name: 'password_hash', type: 'varchar', length: '200' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'failed_attempts', type: 'integer', default: 0 },
          { name: 'locked_until', type: ts, isNullable: true },
          { name: 'last_login_at', type: ts, isNullable: true },
          { name: 'disabled_reason', type: 'varchar', length: '200', isNullable: true },
          { name: 'created_at', type: ts },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    await queryRunner.createIndex(
      'staff_user',
      new TableIndex({ name: 'ux_staff_user_login', columnNames: ['login'], isUnique: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'staff_session',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'staff_id', type: 'varchar', length: '36' },
          { name: 'csrf_token', type: 'varchar', length: '64' },
          { name: 'created_at', type: ts },
          { name: 'expires_at', type: ts },
          { name: 'last_seen_at', type: ts },
          { name: 'address', type: 'varchar', length: '64', isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['staff_id'], referencedTableName: 'staff_user', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createIndex(
      'staff_session',
      new TableIndex({ name: 'ix_staff_session_staff', columnNames: ['staff_id'] }),
    );
    await queryRunner.createIndex(
      'staff_session',
      new TableIndex({ name: 'ix_staff_session_expires', columnNames: ['expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('staff_session');
    await queryRunner.dropTable('staff_user');
  }
}

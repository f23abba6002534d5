import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/** API keys and the append-only audit log. */
export class Foundation1764028800000 implements MigrationInterface {
  name = 'Foundation1764028800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'api_key',
        columns: [
          { name: 'id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'secret_hash', type: 'varchar', length: '64' },
          { name: 'scopes', type: 'text' },
          { name: 'allow_ips', type: 'text', isNullable: true },
          { name: 'created_at', type: ts },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'last_used_at', type: ts, isNullable: true },
          { name: 'revoked_at', type: ts, isNullable: true },
          { name: 'revoked_reason', type: 'varchar', length: '200', isNullable: true },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'audit_log',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'at', type: ts },
          { name: 'actor_type', type: 'varchar', length: '16' },
          { name: 'actor_id', type: 'varchar', length: '100' },
          { name: 'action', type: 'varchar', length: '100' },
          { name: 'subject_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'correlation_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'details', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex('audit_log', new TableIndex({ name: 'ix_audit_log_at', columnNames: ['at'] }));
    await queryRunner.createIndex(
      'audit_log',
      new TableIndex({ name: 'ix_audit_log_subject', columnNames: ['subject_hash'] }),
    );

    // Append-only, enforced by the database itself: no code path and no stray SQL can rewrite history.
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(`
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
        END $$`);
      await queryRunner.query(
        `CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
         FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
         FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
      );
    } else {
      await queryRunner.query(
        `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed'); END`,
      );
      await queryRunner.query(
        `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed'); END`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log');
      await queryRunner.query('DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log');
      await queryRunner.query('DROP FUNCTION IF EXISTS audit_log_append_only()');
    }
    await queryRunner.dropTable('audit_log');
    await queryRunner.dropTable('api_key');
  }
}

import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { timestampType } from '../../../platform';

/**
 * The insurer's audit results (R18): insurer_audit_watch (one row per settled settlement watched for
 * its result: next question, questions asked, last problem), insurer_audit_result (each version of a
 * result, written once) and insurer_audit_deduction (its deductions per fee line, with the reason).
 * Money is integer fen in bigint columns.
 */
export class InsurerAuditResults1765497600000 implements MigrationInterface {
  name = 'InsurerAuditResults1765497600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'insurer_audit_watch',
        columns: [
          { name: 'settlement_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'setl_id', type: 'varchar', length: '40' },
          { name: 'mdtrt_id', type: 'varchar', length: '64' },
          { name: 'psn_no', type: 'varchar', length: '32' },
          { name: 'settled_at', type: ts },
          { name: 'due_on', type: 'varchar', length: '10' },
          { name: 'state', type: 'varchar', length: '8' },
          { name: 'closed_reason', type: 'varchar', length: '200', isNullable: true },
          { name: 'latest_version', type: 'integer', isNullable: true },
          { name: 'checks', type: 'integer', default: 0 },
          { name: 'last_checked_at', type: ts, isNullable: true },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'next_check_at', type: ts, isNullable: true },
          { name: 'created_at', type: ts },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_insurer_audit_watch_settlement',
            columnNames: ['settlement_id'],
            referencedTableName: 'settlement_record',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'insurer_audit_watch',
      new TableIndex({ name: 'ix_insurer_audit_watch_next', columnNames: ['state', 'next_check_at'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'insurer_audit_result',
        columns: [
          { name: 'settlement_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'setl_id', type: 'varchar', length: '40' },
          { name: 'audited_at', type: ts },
          { name: 'fetched_at', type: ts },
          { name: 'msgid', type: 'varchar', length: '30' },
          { name: 'fund_fen', type: 'bigint' },
          { name: 'deducted_fen', type: 'bigint' },
          { name: 'approved_fen', type: 'bigint' },
          { name: 'deduction_count', type: 'integer' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_insurer_audit_result_watch',
            columnNames: ['settlement_id'],
            referencedTableName: 'insurer_audit_watch',
            referencedColumnNames: ['settlement_id'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'insurer_audit_deduction',
        columns: [
          { name: 'settlement_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'version', type: 'integer', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'line_id', type: 'varchar', length: '64' },
          { name: 'item_code', type: 'varchar', length: '50' },
          { name: 'item_name', type: 'varchar', length: '500' },
          { name: 'line_amount_fen', type: 'bigint' },
          { name: 'line_fund_fen', type: 'bigint' },
          { name: 'amount_fen', type: 'bigint' },
          { name: 'reason_code', type: 'varchar', length: '16' },
          { name: 'reason', type: 'varchar', length: '500' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_insurer_audit_deduction_result',
            columnNames: ['settlement_id', 'version'],
            referencedTableName: 'insurer_audit_result',
            referencedColumnNames: ['settlement_id', 'version'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('insurer_audit_deduction');
    await queryRunner.dropTable('insurer_audit_result');
    await queryRunner.dropTable('insurer_audit_watch');
  }
}

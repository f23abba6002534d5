import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/**
 * Settlements of visits (src/settlement): `settlement_record` (one row per settlement sent to the
 * insurer, 2207 / 2304: what was sent, written once, and its outcome, filled by the outbox completion
 * hook; an idempotency key unique across all settlements) and `settlement_statement` (the 费用结算单
 * PDF of a settled one, Base64, with its SHA-256). Money is integer fen in bigint columns.
 */
export class SettlementRecords1764720000000 implements MigrationInterface {
  name = 'SettlementRecords1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'settlement_record',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'visit_id', type: 'varchar', length: '36' },
          { name: 'mdtrt_id', type: 'varchar', length: '64' },
          { name: 'psn_no', type: 'varchar', length: '32' },
          { name: 'kind', type: 'varchar', length: '12' },
          { name: 'infno', type: 'varchar', length: '8' },
          { name: 'msgid', type: 'varchar', length: '30' },
          { name: 'idempotency_key', type: 'varchar', length: '200' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'message', type: 'text' },
          { name: 'pre_audit', type: 'text' },
          { name: 'lines', type: 'text' },
          { name: 'worker_enc', type: 'text' },
          { name: 'setl_id', type: 'varchar', length: '40', isNullable: true },
          { name: 'split', type: 'text', isNullable: true },
          { name: 'desk_collects_fen', type: 'bigint', isNullable: true },
          { name: 'problem', type: 'text', isNullable: true },
          { name: 'settled_at', type: ts, isNullable: true },
          { name: 'cancel_msgid', type: 'varchar', length: '30', isNullable: true },
          { name: 'cancel_reason', type: 'text', isNullable: true },
          { name: 'cancelled_at', type: ts, isNullable: true },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'created_at', type: ts },
          { name: 'updated_at', type: ts },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_settlement_record_visit',
            columnNames: ['visit_id'],
            referencedTableName: 'settlement_visit',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'settlement_record',
      new TableIndex({
        name: 'ux_settlement_record_idempotency_key',
        columnNames: ['idempotency_key'],
        isUnique: true,
      }),
    );
    await queryRunner.createIndex(
      'settlement_record',
      new TableIndex({ name: 'ux_settlement_record_msgid', columnNames: ['msgid'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'settlement_record',
      new TableIndex({ name: 'ix_settlement_record_visit', columnNames: ['visit_id', 'id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_statement',
        columns: [
          { name: 'settlement_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'pdf_base64', type: 'text' },
          { name: 'created_at', type: ts },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_settlement_statement_record',
            columnNames: ['settlement_id'],
            referencedTableName: 'settlement_record',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('settlement_statement');
    await queryRunner.dropTable('settlement_record');
  }
}

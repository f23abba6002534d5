import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/**
 * 自费转工伤 (R10, 办法 26): `settlement_self_paid_visit` (a visit the worker paid as self-pay before
 * the injury determination: whose it is, by the keyed hash of the ID number and the number itself
 * encrypted, and what the receipts add up to) and `settlement_receipt` (its receipts, one row each,
 * unique by number per visit). Money is integer fen in bigint columns. Additive: no existing table
 * changes; a visit without a self-paid row is an ordinary one.
 */
export class SettlementConversion1764892800000 implements MigrationInterface {
  name = 'SettlementConversion1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'settlement_self_paid_visit',
        columns: [
          { name: 'visit_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'person_key', type: 'varchar', length: '64' },
          { name: 'person_enc', type: 'text' },
          { name: 'paid_fen', type: 'bigint' },
          { name: 'recorded_by', type: 'varchar', length: '100' },
          { name: 'recorded_at', type: ts },
          { name: 'updated_at', type: ts },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_settlement_self_paid_visit_visit',
            columnNames: ['visit_id'],
            referencedTableName: 'settlement_visit',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'settlement_self_paid_visit',
      new TableIndex({ name: 'ix_settlement_self_paid_visit_person', columnNames: ['person_key'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_receipt',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'visit_id', type: 'varchar', length: '36' },
          { name: 'receipt_no', type: 'varchar', length: '64' },
          { name: 'amount_fen', type: 'bigint' },
          { name: 'paid_date', type: 'varchar', length: '10' },
          { name: 'created_at', type: ts },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_settlement_receipt_visit',
            columnNames: ['visit_id'],
            referencedTableName: 'settlement_visit',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'settlement_receipt',
      new TableIndex({
        name: 'ux_settlement_receipt_visit_no',
        columnNames: ['visit_id', 'receipt_no'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('settlement_receipt');
    await queryRunner.dropTable('settlement_self_paid_visit');
  }
}

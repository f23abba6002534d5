import { MigrationInterface, QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/**
 * Settling while the insurer is away (R14, emergency mode): `settlement_record.provisional_split`
 * (the local pre-audit's split the desk collected by, JSON in fen; null for a settlement made with the
 * insurer there) and `settlement_difference` (what to collect from or refund to the worker once the
 * insurer's outcome differs from the provisional split; one per settlement, open until staff resolve
 * it). Money is integer fen in bigint columns.
 */
export class SettlementProvisional1764979200000 implements MigrationInterface {
  name = 'SettlementProvisional1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.addColumn(
      'settlement_record',
      new TableColumn({ name: 'provisional_split', type: 'text', isNullable: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_difference',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'settlement_id', type: 'varchar', length: '36' },
          { name: 'mdtrt_id', type: 'varchar', length: '64' },
          { name: 'cause', type: 'varchar', length: '16' },
          { name: 'provisional_fen', type: 'bigint' },
          { name: 'final_fen', type: 'bigint' },
          { name: 'difference_fen', type: 'bigint' },
          { name: 'direction', type: 'varchar', length: '8' },
          { name: 'state', type: 'varchar', length: '8' },
          { name: 'desk', type: 'varchar', length: '40', isNullable: true },
          { name: 'created_at', type: ts },
          { name: 'resolved_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'resolved_at', type: ts, isNullable: true },
          { name: 'resolution_note', type: 'text', isNullable: true },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_settlement_difference_settlement',
            columnNames: ['settlement_id'],
            referencedTableName: 'settlement_record',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'settlement_difference',
      new TableIndex({ name: 'ux_settlement_difference_settlement', columnNames: ['settlement_id'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'settlement_difference',
      new TableIndex({ name: 'ix_settlement_difference_state', columnNames: ['state', 'created_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('settlement_difference');
    await queryRunner.dropColumn('settlement_record', 'provisional_split');
  }
}

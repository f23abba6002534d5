import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * The desk a settlement was requested from (`settlement_record.desk`, the desk staff's workstation,
 * as devices and trace codes name desks): its state changes are pushed to that desk's WebSocket.
 * Nullable: earlier settlements, and requests that name no desk, have none.
 */
export class SettlementDesk1764806400000 implements MigrationInterface {
  name = 'SettlementDesk1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'settlement_record',
      new TableColumn({ name: 'desk', type: 'varchar', length: '40', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('settlement_record', 'desk');
  }
}

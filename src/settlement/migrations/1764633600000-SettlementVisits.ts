import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/**
 * Visits and their fee lines as HIS declares them (src/settlement): `settlement_visit` (an outpatient
 * visit or an inpatient stay, keyed by the HIS visit id `mdtrt_id`, with the settlement lock `state`)
 * and `settlement_fee_line` (one row per HIS line id and visit, corrected in place with a revision,
 * withdrawn by state, never deleted). Money is integer fen in bigint columns.
 */
export class SettlementVisits1764633600000 implements MigrationInterface {
  name = 'SettlementVisits1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'settlement_visit',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'mdtrt_id', type: 'varchar', length: '64' },
          { name: 'psn_no', type: 'varchar', length: '32' },
          { name: 'kind', type: 'varchar', length: '12' },
          { name: 'visit_date', type: 'varchar', length: '10', isNullable: true },
          { name: 'admission_date', type: 'varchar', length: '10', isNullable: true },
          { name: 'ward', type: 'varchar', length: '60', isNullable: true },
          { name: 'dept', type: 'varchar', length: '60', isNullable: true },
          { name: 'diagnosis_code', type: 'varchar', length: '50', isNullable: true },
          { name: 'diagnosis_name', type: 'varchar', length: '200', isNullable: true },
          { name: 'discharge_date', type: 'varchar', length: '10', isNullable: true },
          { name: 'discharge_notice_date', type: 'varchar', length: '10', isNullable: true },
          { name: 'state', type: 'varchar', length: '12', default: "'open'" },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'created_at', type: ts },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    await queryRunner.createIndex(
      'settlement_visit',
      new TableIndex({ name: 'ux_settlement_visit_mdtrt_id', columnNames: ['mdtrt_id'], isUnique: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_fee_line',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'visit_id', type: 'varchar', length: '36' },
          { name: 'line_id', type: 'varchar', length: '64' },
          { name: 'his_item_code', type: 'varchar', length: '50' },
          { name: 'item_name', type: 'varchar', length: '500' },
          { name: 'kind', type: 'varchar', length: '12' },
          { name: 'count', type: 'varchar', length: '16' },
          { name: 'unit_price_fen', type: 'bigint' },
          { name: 'amount_fen', type: 'bigint' },
          { name: 'service_date', type: 'varchar', length: '10' },
          { name: 'injury_related', type: 'boolean' },
          { name: 'days_of_supply', type: 'integer', isNullable: true },
          { name: 'supply_statement_present', type: 'boolean' },
          { name: 'self_pay_consent_form_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'state', type: 'varchar', length: '12' },
          { name: 'revision', type: 'integer' },
          { name: 'created_at', type: ts },
          { name: 'updated_at', type: ts },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_settlement_fee_line_visit',
            columnNames: ['visit_id'],
            referencedTableName: 'settlement_visit',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'settlement_fee_line',
      new TableIndex({
        name: 'ux_settlement_fee_line_visit_line',
        columnNames: ['visit_id', 'line_id'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('settlement_fee_line');
    await queryRunner.dropTable('settlement_visit');
  }
}

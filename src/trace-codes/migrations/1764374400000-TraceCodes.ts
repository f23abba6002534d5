import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/**
 * Drug traceability codes (src/trace-codes): one row per box (`trace_code`, the code is the
 * primary key, so the hospital-wide duplicate check is that index), one row per dispensing of a
 * box (`trace_code_use`, kept for ever: the history), the dispensing lines HIS declares, the
 * product → catalogue mapping, and each pharmacy desk's active line.
 */
export class TraceCodes1764374400000 implements MigrationInterface {
  name = 'TraceCodes1764374400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'trace_dispensing_line',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'visit_id', type: 'varchar', length: '64' },
          { name: 'line_no', type: 'varchar', length: '64' },
          { name: 'med_list_code', type: 'varchar', length: '50' },
          { name: 'drug_name', type: 'varchar', length: '200' },
          { name: 'quantity', type: 'integer' },
          { name: 'split_package', type: 'boolean', default: false },
          { name: 'code_count', type: 'integer', default: 0 },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'created_at', type: ts },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    await queryRunner.createIndex(
      'trace_dispensing_line',
      new TableIndex({ name: 'ux_trace_line_visit', columnNames: ['visit_id', 'line_no'], isUnique: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trace_code',
        columns: [
          { name: 'code', type: 'varchar', length: '40', isPrimary: true },
          { name: 'form', type: 'varchar', length: '8' },
          { name: 'product_code', type: 'varchar', length: '14' },
          { name: 'batch', type: 'varchar', length: '20', isNullable: true },
          { name: 'expiry', type: 'varchar', length: '10', isNullable: true },
          { name: 'state', type: 'varchar', length: '12' },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trace_code_use',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'code', type: 'varchar', length: '40' },
          { name: 'line_id', type: 'varchar', length: '36' },
          { name: 'visit_id', type: 'varchar', length: '64' },
          { name: 'split', type: 'boolean' },
          { name: 'state', type: 'varchar', length: '12' },
          { name: 'upload', type: 'varchar', length: '12' },
          { name: 'upload_ref', type: 'varchar', length: '64', isNullable: true },
          { name: 'operation_id', type: 'varchar', length: '36' },
          { name: 'source', type: 'varchar', length: '100' },
          { name: 'dispensed_at', type: ts },
          { name: 'ended_at', type: ts, isNullable: true },
          { name: 'end_reason', type: 'varchar', length: '200', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'trace_code_use',
      new TableIndex({ name: 'ix_trace_code_use_line', columnNames: ['line_id'] }),
    );
    await queryRunner.createIndex(
      'trace_code_use',
      new TableIndex({ name: 'ix_trace_code_use_code', columnNames: ['code'] }),
    );
    await queryRunner.createIndex(
      'trace_code_use',
      new TableIndex({ name: 'ix_trace_code_use_visit', columnNames: ['visit_id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trace_product_map',
        columns: [
          { name: 'product_code', type: 'varchar', length: '14', isPrimary: true },
          { name: 'med_list_code', type: 'varchar', length: '50', isPrimary: true },
          { name: 'drug_name', type: 'varchar', length: '200', isNullable: true },
          { name: 'updated_by', type: 'varchar', length: '100' },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trace_desk_line',
        columns: [
          { name: 'desk', type: 'varchar', length: '40', isPrimary: true },
          { name: 'line_id', type: 'varchar', length: '36' },
          { name: 'set_by', type: 'varchar', length: '100' },
          { name: 'set_at', type: ts },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'trace_desk_line',
      'trace_product_map',
      'trace_code_use',
      'trace_code',
      'trace_dispensing_line',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}

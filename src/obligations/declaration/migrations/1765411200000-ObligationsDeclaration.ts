import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../../platform';

/**
 * The monthly declaration and reconciliation (docs/obligations-declaration.md):
 * `obligation_declaration` (one row per month: the draft figures, state, offline_flag, every 3401 sent
 * with its answer, the insurer's figures and the differences) and `obligation_reconciliation` (one row
 * per 3201 run: period, local and insurer totals, stmt_rslt, the differing settlements as JSON).
 * Money is integer fen in bigint columns.
 */
export class ObligationsDeclaration1765411200000 implements MigrationInterface {
  name = 'ObligationsDeclaration1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'obligation_declaration',
        columns: [
          { name: 'month', type: 'varchar', length: '7', isPrimary: true },
          { name: 'state', type: 'varchar', length: '12' },
          { name: 'setl_cnt', type: 'integer' },
          { name: 'medfee_fen', type: 'bigint' },
          { name: 'fund_fen', type: 'bigint' },
          { name: 'psn_fen', type: 'bigint' },
          { name: 'offline_flag', type: 'boolean' },
          { name: 'unresolved', type: 'text' },
          { name: 'drafted_at', type: ts },
          { name: 'drafted_by', type: 'varchar', length: '100' },
          { name: 'submissions', type: 'text' },
          { name: 'receipt_id', type: 'varchar', length: '40', isNullable: true },
          { name: 'consistent', type: 'boolean', isNullable: true },
          { name: 'insurer_setl_cnt', type: 'integer', isNullable: true },
          { name: 'insurer_medfee_fen', type: 'bigint', isNullable: true },
          { name: 'insurer_fund_fen', type: 'bigint', isNullable: true },
          { name: 'differences', type: 'text' },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'obligation_reconciliation',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'begndate', type: 'varchar', length: '10' },
          { name: 'enddate', type: 'varchar', length: '10' },
          { name: 'run_trigger', type: 'varchar', length: '12' },
          { name: 'requested_by', type: 'varchar', length: '100' },
          { name: 'state', type: 'varchar', length: '8' },
          { name: 'local_cnt', type: 'integer' },
          { name: 'local_medfee_fen', type: 'bigint' },
          { name: 'local_fund_fen', type: 'bigint' },
          { name: 'local_psn_fen', type: 'bigint' },
          { name: 'insurer_cnt', type: 'integer', isNullable: true },
          { name: 'insurer_medfee_fen', type: 'bigint', isNullable: true },
          { name: 'insurer_fund_fen', type: 'bigint', isNullable: true },
          { name: 'insurer_psn_fen', type: 'bigint', isNullable: true },
          { name: 'stmt_rslt', type: 'varchar', length: '1', isNullable: true },
          { name: 'stmt_rslt_dscr', type: 'text', isNullable: true },
          { name: 'msgid', type: 'varchar', length: '30', isNullable: true },
          { name: 'differences', type: 'text' },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'started_at', type: ts },
          { name: 'finished_at', type: ts },
        ],
      }),
    );
    await queryRunner.createIndex(
      'obligation_reconciliation',
      new TableIndex({ name: 'ix_obligation_reconciliation_period', columnNames: ['begndate', 'enddate'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('obligation_reconciliation');
    await queryRunner.dropTable('obligation_declaration');
  }
}

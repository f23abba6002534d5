import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { timestampType } from '../../platform';

/**
 * A cancel requested while the settlement's outcome was not known (`settlement_record.cancel_requested_at`;
 * who and why go in `cancel_reason` as for every cancel): when the outcome arrives, a settled one is
 * cancelled at once and a refused one needs nothing. Nullable: no cancel was requested before the outcome.
 */
export class SettlementReview1765065600000 implements MigrationInterface {
  name = 'SettlementReview1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'settlement_record',
      new TableColumn({ name: 'cancel_requested_at', type: timestampType(queryRunner), isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('settlement_record', 'cancel_requested_at');
  }
}

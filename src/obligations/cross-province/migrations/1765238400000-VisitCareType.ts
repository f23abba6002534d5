import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * What a settlement visit is under (`settlement_visit.care_type`): `medical` (the medical-service
 * agreement), `rehab` (the rehabilitation agreement: R6's assessment within 5 days of a rehab
 * admission; R11's upload cites rehab 协议 24) or `device` (the assistive-device agreement: R11's
 * upload adds the invoice and the fee list, device 协议 25). Existing visits are medical.
 */
export class VisitCareType1765238400000 implements MigrationInterface {
  name = 'VisitCareType1765238400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'settlement_visit',
      new TableColumn({ name: 'care_type', type: 'varchar', length: '12', isNullable: false, default: "'medical'" }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('settlement_visit', 'care_type');
  }
}

import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../../platform';

/** The medical documents of inpatient settlements (R12): every version with its PDF and SHA-256, and the settlements that owe them. */
export class InpatientDocuments1765324800000 implements MigrationInterface {
  name = 'InpatientDocuments1765324800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'inpatient_document',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject_key', type: 'varchar', length: '80' },
          { name: 'mdtrt_id', type: 'varchar', length: '64' },
          { name: 'settlement_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'doc_type', type: 'varchar', length: '2' },
          { name: 'version', type: 'int' },
          { name: 'source', type: 'varchar', length: '8' },
          { name: 'file_name', type: 'varchar', length: '200' },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'size', type: 'int' },
          { name: 'pdf_base64', type: 'text' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'outbox_message_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'file_id', type: 'varchar', length: '40', isNullable: true },
          { name: 'reject_reason', type: 'varchar', length: '500', isNullable: true },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'created_at', type: ts },
          { name: 'uploaded_at', type: ts, isNullable: true },
          { name: 'superseded_at', type: ts, isNullable: true },
        ],
      }),
    );
    // One row per (subject, document, version): two concurrent sends cannot both take a version.
    await queryRunner.createIndex(
      'inpatient_document',
      new TableIndex({
        name: 'ux_inpatient_document_version',
        columnNames: ['subject_key', 'doc_type', 'version'],
        isUnique: true,
      }),
    );
    await queryRunner.createIndex(
      'inpatient_document',
      new TableIndex({ name: 'ix_inpatient_document_mdtrt', columnNames: ['mdtrt_id'] }),
    );
    await queryRunner.createIndex(
      'inpatient_document',
      new TableIndex({ name: 'ix_inpatient_document_outbox', columnNames: ['outbox_message_id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'inpatient_document_set',
        columns: [
          { name: 'settlement_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'mdtrt_id', type: 'varchar', length: '64' },
          { name: 'psn_no', type: 'varchar', length: '32' },
          { name: 'setl_id', type: 'varchar', length: '40' },
          { name: 'settled_on', type: 'varchar', length: '10' },
          { name: 'created_at', type: ts },
        ],
      }),
    );
    await queryRunner.createIndex(
      'inpatient_document_set',
      new TableIndex({ name: 'ix_inpatient_document_set_mdtrt', columnNames: ['mdtrt_id'] }),
    );
    await queryRunner.createIndex(
      'inpatient_document_set',
      new TableIndex({ name: 'ix_inpatient_document_set_day', columnNames: ['settled_on'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('inpatient_document_set');
    await queryRunner.dropTable('inpatient_document');
  }
}

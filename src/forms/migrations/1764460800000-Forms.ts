import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

/** Forms: one row per version of a form (values encrypted), the signed file's digest, retention and upload state. */
export class Forms1764460800000 implements MigrationInterface {
  name = 'Forms1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'form_document',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'form_no', type: 'varchar', length: '32' },
          { name: 'version', type: 'int' },
          { name: 'previous_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'visit_id', type: 'varchar', length: '64' },
          { name: 'worker_key', type: 'varchar', length: '100', isNullable: true },
          { name: 'values', type: 'text' },
          { name: 'disputed', type: 'boolean', default: false },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'reject_reason', type: 'varchar', length: '500', isNullable: true },
          { name: 'file_path', type: 'varchar', length: '300', isNullable: true },
          { name: 'sha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'size', type: 'int', isNullable: true },
          { name: 'signature_kind', type: 'varchar', length: '8', isNullable: true },
          { name: 'signed_at', type: ts, isNullable: true },
          { name: 'keep_until', type: ts, isNullable: true },
          { name: 'outbox_message_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'outbox_msgid', type: 'varchar', length: '30', isNullable: true },
          { name: 'file_id', type: 'varchar', length: '40', isNullable: true },
          { name: 'created_by', type: 'varchar', length: '100' },
          { name: 'created_at', type: ts },
          { name: 'updated_at', type: ts },
        ],
      }),
    );
    // One row per (form, version): two concurrent corrections of one version cannot both win.
    await queryRunner.createIndex(
      'form_document',
      new TableIndex({ name: 'ux_form_document_version', columnNames: ['form_no', 'version'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'form_document',
      new TableIndex({ name: 'ix_form_document_visit', columnNames: ['visit_id'] }),
    );
    await queryRunner.createIndex(
      'form_document',
      new TableIndex({ name: 'ix_form_document_worker', columnNames: ['worker_key'] }),
    );
    await queryRunner.createIndex(
      'form_document',
      new TableIndex({ name: 'ix_form_document_outbox', columnNames: ['outbox_message_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('form_document');
  }
}

import { MigrationInterface, QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';
import { timestampType } from '../../platform';

const IMMUTABLE_TABLES = ['settlement_catalogue_version', 'settlement_catalogue_item'];

/**
 * The catalogue mapping (编码比对, src/settlement): one row per import (`settlement_catalogue_version`),
 * its items (`settlement_catalogue_item`, HIS code → insurer catalogue code), and the one pointer to
 * the current version (`settlement_catalogue_current`, a single row created here, so an import can
 * lock it even before the first version exists). Versions and items are immutable: the database
 * refuses UPDATE and DELETE on them, as on audit_log; an import adds a version and moves the pointer.
 */
export class SettlementCatalogue1764547200000 implements MigrationInterface {
  name = 'SettlementCatalogue1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'settlement_catalogue_version',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'integer' },
          { name: 'imported_at', type: ts },
          { name: 'imported_by', type: 'varchar', length: '100' },
          { name: 'source_name', type: 'varchar', length: '255' },
          { name: 'source_sha256', type: 'varchar', length: '64' },
          { name: 'source_encoding', type: 'varchar', length: '16' },
          { name: 'row_count', type: 'integer' },
          { name: 'item_count', type: 'integer' },
          { name: 'mapped_count', type: 'integer' },
          { name: 'note', type: 'varchar', length: '500', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'settlement_catalogue_version',
      new TableIndex({ name: 'ux_settlement_catalogue_version_seq', columnNames: ['seq'], isUnique: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_catalogue_item',
        columns: [
          { name: 'version_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'his_code', type: 'varchar', length: '50', isPrimary: true },
          { name: 'his_name', type: 'varchar', length: '500' },
          { name: 'kind', type: 'varchar', length: '12' },
          { name: 'med_list_codg', type: 'varchar', length: '50', isNullable: true },
          { name: 'insurer_name', type: 'varchar', length: '500', isNullable: true },
          { name: 'valid_from', type: 'varchar', length: '10', isNullable: true },
          { name: 'valid_to', type: 'varchar', length: '10', isNullable: true },
          { name: 'source_row', type: 'integer' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_settlement_catalogue_item_version',
            columnNames: ['version_id'],
            referencedTableName: 'settlement_catalogue_version',
            referencedColumnNames: ['id'],
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'settlement_catalogue_item',
      new TableIndex({ name: 'ix_settlement_catalogue_item_his_code', columnNames: ['his_code'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'settlement_catalogue_current',
        columns: [
          { name: 'slot', type: 'varchar', length: '16', isPrimary: true },
          { name: 'version_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'set_at', type: ts, isNullable: true },
          { name: 'set_by', type: 'varchar', length: '100', isNullable: true },
        ],
      }),
    );
    await queryRunner.query(`INSERT INTO settlement_catalogue_current (slot) VALUES ('current')`);
    await createImmutabilityTriggers(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropImmutabilityTriggers(queryRunner);
    for (const table of ['settlement_catalogue_current', 'settlement_catalogue_item', 'settlement_catalogue_version']) {
      await queryRunner.dropTable(table);
    }
  }
}

async function createImmutabilityTriggers(queryRunner: QueryRunner): Promise<void> {
  if (queryRunner.connection.options.type === 'postgres') {
    await queryRunner.query(`
      CREATE FUNCTION settlement_catalogue_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is immutable: % is not allowed', TG_TABLE_NAME, TG_OP;
      END $$`);
    for (const table of IMMUTABLE_TABLES) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_immutable BEFORE UPDATE OR DELETE ON ${table}
         FOR EACH ROW EXECUTE FUNCTION settlement_catalogue_immutable()`,
      );
    }
    return;
  }
  for (const table of IMMUTABLE_TABLES) {
    for (const op of ['UPDATE', 'DELETE']) {
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table}
         BEGIN SELECT RAISE(ABORT, '${table} is immutable: ${op} is not allowed'); END`,
      );
    }
  }
}

async function dropImmutabilityTriggers(queryRunner: QueryRunner): Promise<void> {
  const pg = queryRunner.connection.options.type === 'postgres';
  for (const table of IMMUTABLE_TABLES) {
    if (pg) {
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_immutable ON ${table}`);
    } else {
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_no_update`);
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${table}_no_delete`);
    }
  }
  if (pg) {
    await queryRunner.query('DROP FUNCTION IF EXISTS settlement_catalogue_immutable()');
  }
}

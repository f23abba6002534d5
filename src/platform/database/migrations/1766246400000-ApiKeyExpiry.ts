import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/** Days an admin key without an expiry is given at the upgrade (docs/security.md). */
export const UPGRADE_ADMIN_KEY_DAYS = 90;

/**
 * API keys may expire (`expires_at`); keys with the admin scope must. Admin keys that exist at the
 * upgrade have no expiry yet: they are given one UPGRADE_ADMIN_KEY_DAYS days out (not revoked, so no
 * running tool breaks), and the gateway names them in its expiry warning well before then (IT makes
 * new keys with `gateway apikey create … --expires-in`). Their ids are logged by the gateway at start
 * (ApiKeyExpiryWatch) like every key that expires soon.
 */
export class ApiKeyExpiry1766246400000 implements MigrationInterface {
  name = 'ApiKeyExpiry1766246400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'api_key',
      new TableColumn({ name: 'expires_at', type: timestampType(queryRunner), isNullable: true }),
    );
    await queryRunner.createIndex(
      'api_key',
      new TableIndex({ name: 'ix_api_key_expires', columnNames: ['expires_at'] }),
    );
    const postgres = queryRunner.connection.options.type === 'postgres';
    const expiry = new Date(Date.now() + UPGRADE_ADMIN_KEY_DAYS * 86_400_000);
    // scopes is simple-json text, e.g. ["admin","identity"].
    await queryRunner.query(
      `UPDATE api_key SET expires_at = ${postgres ? '$1' : '?'} ` +
        `WHERE expires_at IS NULL AND revoked_at IS NULL AND scopes LIKE '%"admin"%'`,
      [postgres ? expiry : expiry.toISOString().replace('T', ' ').replace('Z', '')],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('api_key', 'ix_api_key_expires');
    await queryRunner.dropColumn('api_key', 'expires_at');
  }
}

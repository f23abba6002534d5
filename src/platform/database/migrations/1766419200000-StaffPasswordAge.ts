import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff passwords age (staff.passwordMaxAgeDays, docs/console.md#changing-your-password):
 * `password_changed_at` says when the password was last set, `password_must_change` that IT set it
 * (`gateway staff reset`) and its owner must choose their own at the next login. Accounts that exist
 * at the upgrade count their password as set at the upgrade, so nobody is forced to change at once.
 */
export class StaffPasswordAge1766419200000 implements MigrationInterface {
  name = 'StaffPasswordAge1766419200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const now = new Date();
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('ALTER TABLE staff_user ADD COLUMN password_changed_at timestamptz');
      await queryRunner.query('UPDATE staff_user SET password_changed_at = $1', [now]);
      await queryRunner.query('ALTER TABLE staff_user ALTER COLUMN password_changed_at SET NOT NULL');
      await queryRunner.query('ALTER TABLE staff_user ADD COLUMN password_must_change boolean NOT NULL DEFAULT false');
    } else {
      // SQLite adds a NOT NULL column only with a default: the upgrade's time, which the gateway never relies on
      // afterwards (every insert names the column).
      const at = now.toISOString().replace('T', ' ').replace('Z', '');
      await queryRunner.query(
        `ALTER TABLE staff_user ADD COLUMN password_changed_at datetime NOT NULL DEFAULT '${at}'`,
      );
      await queryRunner.query('ALTER TABLE staff_user ADD COLUMN password_must_change boolean NOT NULL DEFAULT (0)');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('staff_user', 'password_must_change');
    await queryRunner.dropColumn('staff_user', 'password_changed_at');
  }
}

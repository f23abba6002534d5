import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampType } from './column-types';

/** The content columns of audit_log: sealing may change none of them. */
const CONTENT = [
  'id',
  'at',
  'actor_type',
  'actor_id',
  'action',
  'subject_hash',
  'outcome',
  'correlation_id',
  'details',
];

const UPDATE_REFUSED =
  'audit_log is append-only: the only UPDATE allowed seals an entry (sets seq, prev_hash, chain_hash once)';
const DELETE_REFUSED =
  'audit_log is append-only: DELETE is allowed only for sealed entries older than 6 months (网络安全法 Art. 21)';

/**
 * The tamper-evident audit trail (docs/security.md#tamper-evident-audit-trail-sm3-hash-chain):
 * audit_log gains content_hash (SM3 of the entry, written with it), seq / prev_hash / chain_hash
 * (written once by the sealer), and the append-only audit_checkpoint table (periodic heads of the
 * chain, and the anchors retention leaves). The triggers change: an UPDATE may only seal an entry
 * (chain columns from NULL, nothing else changed), a DELETE only removes a sealed entry older than 6
 * Beijing calendar months; TRUNCATE stays refused.
 */
export class AuditChain1766131200000 implements MigrationInterface {
  name = 'AuditChain1766131200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    // Raw ALTER TABLE: TypeORM's addColumn rebuilds the table on SQLite, which would drop its triggers.
    await queryRunner.query('ALTER TABLE audit_log ADD COLUMN content_hash varchar(64)');
    await queryRunner.query('ALTER TABLE audit_log ADD COLUMN seq bigint');
    await queryRunner.query('ALTER TABLE audit_log ADD COLUMN prev_hash varchar(64)');
    await queryRunner.query('ALTER TABLE audit_log ADD COLUMN chain_hash varchar(64)');
    await queryRunner.query('CREATE UNIQUE INDEX ux_audit_log_seq ON audit_log (seq) WHERE seq IS NOT NULL');
    await queryRunner.query('CREATE INDEX ix_audit_log_unsealed ON audit_log (id) WHERE seq IS NULL');

    const ts = timestampType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'audit_checkpoint',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'at', type: ts },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'seq', type: 'bigint' },
          { name: 'chain_hash', type: 'varchar', length: '64' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'audit_checkpoint',
      new TableIndex({ name: 'ix_audit_checkpoint_kind_seq', columnNames: ['kind', 'seq'] }),
    );

    if (pg) {
      const same = `(${CONTENT.map((c) => `NEW.${c}`).join(', ')}) IS NOT DISTINCT FROM (${CONTENT.map((c) => `OLD.${c}`).join(', ')})`;
      await queryRunner.query(`
        CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' THEN
            IF OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.chain_hash IS NULL
               AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.chain_hash IS NOT NULL
               AND NEW.content_hash IS NOT NULL
               AND (OLD.content_hash IS NULL OR NEW.content_hash = OLD.content_hash)
               AND ${same} THEN
              RETURN NEW;
            END IF;
            RAISE EXCEPTION '${UPDATE_REFUSED}';
          END IF;
          IF OLD.seq IS NOT NULL
             AND OLD.at < ((now() AT TIME ZONE 'Asia/Shanghai') - interval '6 months') AT TIME ZONE 'Asia/Shanghai' THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION '${DELETE_REFUSED}';
        END $$`);
      await queryRunner.query('DROP TRIGGER audit_log_no_update_delete ON audit_log');
      await queryRunner.query(
        `CREATE TRIGGER audit_log_seal_or_retain BEFORE UPDATE OR DELETE ON audit_log
         FOR EACH ROW EXECUTE FUNCTION audit_log_guard()`,
      );
      await queryRunner.query(`
        CREATE FUNCTION audit_checkpoint_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_checkpoint is append-only: % is not allowed', TG_OP;
        END $$`);
      await queryRunner.query(
        `CREATE TRIGGER audit_checkpoint_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoint
         FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_append_only()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
         FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoint_append_only()`,
      );
      return;
    }
    const same = CONTENT.map((c) => `NEW.${c} IS OLD.${c}`).join(' AND ');
    await queryRunner.query('DROP TRIGGER audit_log_no_update');
    await queryRunner.query('DROP TRIGGER audit_log_no_delete');
    await queryRunner.query(
      `CREATE TRIGGER audit_log_seal_only BEFORE UPDATE ON audit_log
       WHEN NOT (OLD.seq IS NULL AND OLD.prev_hash IS NULL AND OLD.chain_hash IS NULL
         AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.chain_hash IS NOT NULL
         AND NEW.content_hash IS NOT NULL
         AND (OLD.content_hash IS NULL OR NEW.content_hash = OLD.content_hash)
         AND ${same})
       BEGIN SELECT RAISE(ABORT, '${UPDATE_REFUSED}'); END`,
    );
    // `at` is stored as UTC text 'YYYY-MM-DD HH:MM:SS.SSS'; the bound is 6 Beijing calendar months back.
    await queryRunner.query(
      `CREATE TRIGGER audit_log_retained BEFORE DELETE ON audit_log
       WHEN OLD.seq IS NULL
         OR OLD.at >= strftime('%Y-%m-%d %H:%M:%f', 'now', '+8 hours', '-6 months', '-8 hours')
       BEGIN SELECT RAISE(ABORT, '${DELETE_REFUSED}'); END`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
       BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only: UPDATE is not allowed'); END`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
       BEGIN SELECT RAISE(ABORT, 'audit_checkpoint is append-only: DELETE is not allowed'); END`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.options.type === 'postgres';
    if (pg) {
      await queryRunner.query('DROP TRIGGER IF EXISTS audit_log_seal_or_retain ON audit_log');
      await queryRunner.query('DROP FUNCTION IF EXISTS audit_log_guard()');
      await queryRunner.query(
        `CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
         FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
      );
      await queryRunner.query('DROP TABLE audit_checkpoint');
      await queryRunner.query('DROP FUNCTION IF EXISTS audit_checkpoint_append_only()');
    } else {
      await queryRunner.query('DROP TRIGGER IF EXISTS audit_log_seal_only');
      await queryRunner.query('DROP TRIGGER IF EXISTS audit_log_retained');
      await queryRunner.query(
        `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE is not allowed'); END`,
      );
      await queryRunner.query(
        `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed'); END`,
      );
      await queryRunner.query('DROP TABLE audit_checkpoint');
    }
    await queryRunner.query('DROP INDEX IF EXISTS ix_audit_log_unsealed');
    await queryRunner.query('DROP INDEX IF EXISTS ux_audit_log_seq');
    for (const c of ['content_hash', 'seq', 'prev_hash', 'chain_hash']) {
      await queryRunner.query(`ALTER TABLE audit_log DROP COLUMN ${c}`);
    }
  }
}

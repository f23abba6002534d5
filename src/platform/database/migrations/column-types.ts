import type { QueryRunner } from 'typeorm';

/** Timestamps: `timestamptz` on PostgreSQL (instants, not wall-clock), `datetime` on SQLite. */
export function timestampType(queryRunner: QueryRunner): string {
  return queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
}

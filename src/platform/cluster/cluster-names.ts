import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * Names several instances agree on without asking each other. NOTIFY channels and advisory locks are
 * per database, not per schema: both carry the schema, so two gateways (or two test runs) in one
 * database on different schemas never hear or block each other.
 */
export function schemaOf(dataSource: DataSource): string {
  return (dataSource.options as { schema?: string }).schema || 'public';
}

/** The NOTIFY channel of the gateway on `schema` (an identifier of at most 63 characters). */
export function clusterChannel(schema: string): string {
  const plain = `gw_cluster_${schema}`;
  return plain.length <= 63 && /^[a-z0-9_]+$/.test(plain)
    ? plain
    : `gw_cluster_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

/** A 64-bit pg_advisory_lock key (as a decimal string) for `key` on `schema`. */
export function advisoryKey(schema: string, key: string): string {
  const digest = createHash('sha256').update(`gateway-lock\0${schema}\0${key}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/** The PostgreSQL connection string of a DataSource; undefined on SQLite. */
export function postgresUrlOf(dataSource: DataSource): string | undefined {
  return dataSource.options.type === 'postgres' ? dataSource.options.url : undefined;
}

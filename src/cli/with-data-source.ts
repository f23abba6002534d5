import { DataSource } from 'typeorm';
import { GATEWAY_SCHEMA } from '../gateway.features';
import { GatewayConfig, openDataSource, runMigrations } from '../platform';

/** Opens the database for one CLI command, applying pending migrations first. */
export async function withDataSource<T>(config: GatewayConfig, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await openDataSource(config.database, config.dataDir, GATEWAY_SCHEMA);
  try {
    await runMigrations(dataSource);
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

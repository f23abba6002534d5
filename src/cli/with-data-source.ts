import { DataSource } from 'typeorm';
import { GatewayConfig } from '../platform/config/gateway-config';
import { openDataSource, runMigrations } from '../platform/database/data-source';

/** Opens the database for one CLI command, applying pending migrations first. */
export async function withDataSource<T>(config: GatewayConfig, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await openDataSource(config.database, config.dataDir);
  try {
    await runMigrations(dataSource);
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

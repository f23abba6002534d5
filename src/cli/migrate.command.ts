import { GatewayConfig } from '../platform/config/gateway-config';
import { openDataSource, runMigrations } from '../platform/database/data-source';
import { describeTarget, parseDatabaseUrl } from '../platform/database/database-url';
import { CliOutput } from './cli-io';

export async function migrateCommand(config: GatewayConfig, out: CliOutput): Promise<number> {
  const dataSource = await openDataSource(config.database, config.dataDir);
  try {
    const applied = await runMigrations(dataSource);
    const target = describeTarget(parseDatabaseUrl(config.database.url, config.dataDir));
    out.log(applied.length > 0 ? `Applied ${applied.length} migration(s) to ${target}:\n  ${applied.join('\n  ')}` : `${target} is up to date.`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

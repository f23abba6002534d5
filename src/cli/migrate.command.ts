import { GATEWAY_SCHEMA } from '../gateway.features';
import { describeTarget, GatewayConfig, openDataSource, parseDatabaseUrl, runMigrations } from '../platform';
import { CliOutput } from './cli-io';

export async function migrateCommand(config: GatewayConfig, out: CliOutput): Promise<number> {
  const dataSource = await openDataSource(config.database, config.dataDir, GATEWAY_SCHEMA);
  try {
    const applied = await runMigrations(dataSource);
    const target = describeTarget(parseDatabaseUrl(config.database.url, config.dataDir));
    out.log(
      applied.length > 0
        ? `Applied ${applied.length} migration(s) to ${target}:\n  ${applied.join('\n  ')}`
        : `${target} is up to date.`,
    );
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

import { join } from 'node:path';
import type { GatewayConfig } from '../platform';
import { exportDocuments } from '../obligations/documents/documents-export';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

const USE = 'use: documents export --month YYYY-MM [--out <dir>]';

/**
 * `documents export`: the backup of the inpatient settlements' medical documents (R12) of one month,
 * straight from the database (the gateway may be stopped), every file checked against its SHA-256.
 * Exit 1 when any file does not match.
 */
export async function documentsCommand(
  config: GatewayConfig,
  sub: string | undefined,
  options: { month?: string; out?: string },
  out: CliOutput,
): Promise<number> {
  if (sub !== 'export') {
    throw new CliError(USE);
  }
  if (!options.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(options.month)) {
    throw new CliError(`documents export needs --month YYYY-MM\n${USE}`);
  }
  const month = options.month;
  const result = await withDataSource(config, (ds) =>
    exportDocuments(ds, month, options.out ?? join(config.dataDir, 'exports')),
  );
  out.log(
    `${result.files.length} document file(s) of ${result.settlements} inpatient settlement(s) settled in ${month}:\n  ${join(result.dir, 'manifest.json')}`,
  );
  for (const f of result.failed) {
    out.error(`checksum mismatch: ${f.file} (${f.name}, settlement ${f.settlement}) does not hash to ${f.sha256}`);
  }
  return result.failed.length > 0 ? 1 : 0;
}

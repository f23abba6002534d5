import { FormDocumentRepository } from '../forms/form-document.repository';
import { FormRetentionService } from '../forms/form-retention.service';
import { FormStorageService } from '../forms/form-storage.service';
import { auditServiceOn } from '../platform/standalone';
import { SystemClock } from '../platform/clock';
import { GatewayConfig } from '../platform/config/gateway-config';
import { Transactions } from '../platform/database/transactions';
import { loadKeyring } from '../platform/pii/keyring';
import { PiiCryptoService } from '../platform/pii/pii-crypto.service';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

/** `forms prune [--dry-run]`: the retention the running gateway applies on its interval (the forms.retention job), now. */
export async function formsCommand(config: GatewayConfig, sub: string | undefined, options: { 'dry-run'?: boolean }, out: CliOutput): Promise<number> {
  if (sub !== 'prune') {
    throw new CliError('use: forms prune [--dry-run]');
  }
  return withDataSource(config, async (dataSource) => {
    const clock = new SystemClock();
    const audit = auditServiceOn(dataSource, new PiiCryptoService(loadKeyring(config.pii)), clock);
    const retention = new FormRetentionService(new FormDocumentRepository(dataSource), new Transactions(dataSource), config, clock, audit, FormStorageService.fromConfig(config));
    const dryRun = options['dry-run'] === true;
    const report = await retention.prune(dryRun);
    const verb = dryRun ? 'would delete' : 'deleted';
    out.log(`${verb} ${report.drafts.length} draft(s) older than ${config.forms.retention.draftDays} days and ${report.signed.length} signed form(s) past keep-until`);
    for (const id of report.drafts) {
      out.log(`  draft   ${id}`);
    }
    for (const id of report.signed) {
      out.log(`  signed  ${id}`);
    }
    return 0;
  });
}

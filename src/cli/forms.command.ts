import { formRetentionOn } from '../forms/standalone-forms';
import { auditServiceOn, GatewayConfig, loadKeyring, PiiCryptoService, SystemClock } from '../platform';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

/** `forms prune [--dry-run]`: the retention the running gateway applies on its interval (the forms.retention job), now. */
export async function formsCommand(
  config: GatewayConfig,
  sub: string | undefined,
  options: { 'dry-run'?: boolean },
  out: CliOutput,
): Promise<number> {
  if (sub !== 'prune') {
    throw new CliError('use: forms prune [--dry-run]');
  }
  return withDataSource(config, async (dataSource) => {
    const clock = new SystemClock();
    const audit = auditServiceOn(dataSource, new PiiCryptoService(loadKeyring(config.pii)), clock);
    const retention = formRetentionOn(dataSource, config, clock, audit);
    const dryRun = options['dry-run'] === true;
    const report = await retention.prune(dryRun);
    const verb = dryRun ? 'would delete' : 'deleted';
    out.log(
      `${verb} ${report.drafts.length} draft(s) older than ${config.forms.retention.draftDays} days and ${report.signed.length} signed form(s) past keep-until`,
    );
    for (const id of report.drafts) {
      out.log(`  draft   ${id}`);
    }
    for (const id of report.signed) {
      out.log(`  signed  ${id}`);
    }
    return 0;
  });
}

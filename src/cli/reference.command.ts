import { join } from 'node:path';
import { projectRoot } from '../platform';
import { agreementSourcePath } from '../reference/agreement-source';
import { formatWarning, importInstitutions } from '../reference/institution-importer';
import { CliError, CliOutput } from './cli-io';

/** The agreement text carried in the repository (config/reference/source/). */
export function defaultSeedFile(): string {
  return agreementSourcePath();
}

export function referenceCommand(
  sub: string | undefined,
  options: { seed?: string; out?: string },
  out: CliOutput,
): number {
  if (sub !== 'import') {
    throw new CliError('use: reference import [--seed <file>] [--out <dir>]');
  }
  const seed = options.seed ?? defaultSeedFile();
  const outDir = options.out ?? join(projectRoot(), 'config', 'reference');
  const { dataset, warnings, outFile } = importInstitutions(seed, outDir);
  out.log(
    `Imported ${dataset.institutions.length} institutions (version ${dataset.version}: ` +
      `${dataset.counts.medical} medical, ${dataset.counts.rehab} rehab, ${dataset.counts['assistive-device']} assistive-device) into ${outFile}`,
  );
  for (const w of warnings) {
    out.error(`warning: ${formatWarning(w)}`);
  }
  return 0;
}

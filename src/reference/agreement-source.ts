import { join } from 'node:path';
import { projectRoot } from '../platform';

/** The file name of the agreement text (kept as it was published, so the dataset's `source.file` stays stable). */
export const AGREEMENT_SOURCE_FILE = '004_6c7349c0953d4533.txt';

/**
 * The agreement text with its institution annexes (附件4–6), carried in the repository under
 * `config/reference/source/` (see the README there). `reference import` reads it by default.
 */
export function agreementSourcePath(): string {
  return join(projectRoot(), 'config', 'reference', 'source', AGREEMENT_SOURCE_FILE);
}

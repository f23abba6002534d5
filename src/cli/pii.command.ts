import { existsSync } from 'node:fs';
import {
  decodeKeyring,
  generateKeyringDocument,
  readKeyringFile,
  rotateKeyringDocument,
  writeKeyringFile,
} from '../platform';
import { CliError, CliOutput } from './cli-io';

export function piiCommand(sub: string | undefined, rest: string[], out: CliOutput): number {
  const file = rest[0];
  if ((sub !== 'init' && sub !== 'rotate') || !file) {
    throw new CliError('use: pii init <file> | pii rotate <file>');
  }
  if (sub === 'init') {
    if (existsSync(file)) {
      throw new CliError(`${file} exists already; it is never overwritten (rotate it instead: pii rotate ${file})`);
    }
    const doc = generateKeyringDocument();
    writeKeyringFile(file, doc);
    out.log(
      `Wrote a new PII keyring to ${file} (active key ${doc.active}). Back it up: without it, stored personal data cannot be read.`,
    );
    return 0;
  }
  if (!existsSync(file)) {
    throw new CliError(`${file} does not exist — create it with: pii init ${file}`);
  }
  const current = readKeyringFile(file);
  decodeKeyring(current);
  const next = rotateKeyringDocument(current);
  writeKeyringFile(file, next);
  out.log(
    `Added key ${next.active} to ${file} and made it active; ${next.keys.length - 1} older key(s) kept for existing data. Restart the gateway to use it.`,
  );
  return 0;
}

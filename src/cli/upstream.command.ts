import { existsSync } from 'node:fs';
import { writeSigningKey } from '../upstream/signing-keys';
import { CliError, CliOutput } from './cli-io';

export function upstreamCommand(
  sub: string | undefined,
  rest: string[],
  options: { id?: string },
  out: CliOutput,
): number {
  const file = rest[0];
  if (sub !== 'keygen' || !file) {
    throw new CliError('use: upstream keygen <file> [--id <key id>]');
  }
  if (existsSync(file)) {
    throw new CliError(`${file} exists already; it is never overwritten`);
  }
  const key = writeSigningKey(file, options.id ?? `gw-${new Date().toISOString().slice(0, 10)}`);
  out.log(`Wrote the gateway's SM2 signing key "${key.id}" to ${file} (mode 0600).`);
  out.log(`Give the insurer this public key and id:\n  id:        ${key.id}\n  publicKey: ${key.publicKey}`);
  return 0;
}

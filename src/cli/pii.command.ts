import { existsSync } from 'node:fs';
import { GATEWAY_FEATURES } from '../gateway.features';
import {
  decodeKeyring,
  featurePiiColumns,
  GatewayConfig,
  generateKeyringDocument,
  loadKeyring,
  PII_CIPHERS,
  type PiiCipher,
  PiiCryptoService,
  PiiReencryptionService,
  readKeyringFile,
  type ReencryptionProgress,
  rotateKeyringDocument,
  SystemClock,
  Transactions,
  writeKeyringFile,
} from '../platform';
import { CliError, CliOutput } from './cli-io';
import { withDataSource } from './with-data-source';

const USE =
  'use: pii init <file> [--algorithm sm4-gcm|aes-256-gcm] | pii rotate <file> [--algorithm sm4-gcm|aes-256-gcm] | pii status | pii reencrypt [--batch-size n]';

export interface PiiCommandOptions {
  algorithm?: string;
  'batch-size'?: string;
}

export async function piiCommand(
  sub: string | undefined,
  rest: string[],
  options: PiiCommandOptions,
  config: () => GatewayConfig,
  out: CliOutput,
  signals: Pick<NodeJS.Process, 'once' | 'off'> = process,
): Promise<number> {
  switch (sub ?? '') {
    case 'init':
      return init(requireFile(rest), algorithmOf(options), out);
    case 'rotate':
      return rotate(requireFile(rest), options.algorithm === undefined ? undefined : algorithmOf(options), out);
    case 'status':
      return status(config(), out);
    case 'reencrypt':
      return reencrypt(config(), batchSizeOf(options, config), out, signals);
    default:
      throw new CliError(USE);
  }
}

function requireFile(rest: string[]): string {
  if (!rest[0]) {
    throw new CliError(USE);
  }
  return rest[0];
}

function algorithmOf(options: PiiCommandOptions): PiiCipher {
  const algorithm = options.algorithm ?? 'sm4-gcm';
  if (!(PII_CIPHERS as readonly string[]).includes(algorithm)) {
    throw new CliError(`--algorithm must be one of ${PII_CIPHERS.join(', ')}`);
  }
  return algorithm as PiiCipher;
}

function batchSizeOf(options: PiiCommandOptions, config: () => GatewayConfig): number {
  if (options['batch-size'] === undefined) {
    return config().pii.reencryptBatchSize;
  }
  const n = Number(options['batch-size']);
  if (!Number.isInteger(n) || n < 1 || n > 5000) {
    throw new CliError('--batch-size must be a whole number from 1 to 5000');
  }
  return n;
}

function init(file: string, algorithm: PiiCipher, out: CliOutput): number {
  if (existsSync(file)) {
    throw new CliError(`${file} exists already; it is never overwritten (rotate it instead: pii rotate ${file})`);
  }
  const doc = generateKeyringDocument(undefined, algorithm);
  writeKeyringFile(file, doc);
  out.log(
    `Wrote a new PII keyring to ${file} (active key ${doc.active}, ${algorithm}). Back it up: without it, stored personal data cannot be read.`,
  );
  return 0;
}

function rotate(file: string, algorithm: PiiCipher | undefined, out: CliOutput): number {
  if (!existsSync(file)) {
    throw new CliError(`${file} does not exist — create it with: pii init ${file}`);
  }
  const current = readKeyringFile(file);
  const before = decodeKeyring(current);
  const next = rotateKeyringDocument(current, { algorithm });
  const after = decodeKeyring(next);
  writeKeyringFile(file, next);
  const added = after.keys.get(after.activeKeyId);
  const lookup =
    after.activeLookupId === before.activeLookupId
      ? 'lookup hashes unchanged'
      : `new lookup key ${after.activeLookupId} (${after.lookupKeys.find((k) => k.id === after.activeLookupId)?.algorithm})`;
  out.log(
    `Added key ${after.activeKeyId} (${added?.algorithm}) to ${file} and made it active; ${next.keys.length - 1} older key(s) kept for existing data; ${lookup}.`,
  );
  out.log(
    'Back up the keyring, then restart every gateway instance with it: stored rows move to the new key in the background (or run: gateway pii reencrypt). Never remove an old key before `gateway pii status` shows no rows on it.',
  );
  return 0;
}

function serviceOn(config: GatewayConfig, transactions: Transactions): PiiReencryptionService {
  const pii = new PiiCryptoService(loadKeyring(config.pii));
  return new PiiReencryptionService(transactions, pii, featurePiiColumns(GATEWAY_FEATURES), new SystemClock());
}

async function status(config: GatewayConfig, out: CliOutput): Promise<number> {
  const pii = new PiiCryptoService(loadKeyring(config.pii));
  out.log(`active key ${pii.activeKeyId} (${pii.activeAlgorithm}), lookup key ${pii.activeLookupId}`);
  return withDataSource(config, async (dataSource) => {
    let failed = 0;
    for (const column of await serviceOn(config, new Transactions(dataSource)).status()) {
      const perKey = Object.entries(column.perKey)
        .filter(([, n]) => n > 0)
        .map(([key, n]) => `${key} ${n}`);
      if (column.unknown > 0) {
        perKey.push(`unknown key ${column.unknown}`);
      }
      if (column.plaintext > 0) {
        perKey.push(`not yet encrypted ${column.plaintext}`);
      }
      out.log(`${column.name.padEnd(40)} ${String(column.encrypted).padStart(7)} rows  ${perKey.join('  ') || '-'}`);
      if (column.progress) {
        out.log(`  ${progressLine(column.progress)}`);
        failed += column.progress.targetKey === pii.activeKeyId ? column.progress.failed : 0;
      }
    }
    return failed > 0 ? 1 : 0;
  });
}

function progressLine(p: ReencryptionProgress): string {
  const state = p.finishedAt ? `done ${p.finishedAt.toISOString()}` : `running since ${p.startedAt.toISOString()}`;
  const failure = p.failed > 0 && p.lastFailure ? ` (last: ${p.lastFailure})` : '';
  return `to ${p.targetKey}: ${p.moved} of ${p.toMove} moved, ${p.failed} failed${failure}; ${state}`;
}

async function reencrypt(
  config: GatewayConfig,
  batchSize: number,
  out: CliOutput,
  signals: Pick<NodeJS.Process, 'once' | 'off'>,
): Promise<number> {
  let stopped = false;
  const stop = (): void => {
    stopped = true;
    out.log('stopping after this batch (run it again to continue)');
  };
  signals.once('SIGINT', stop);
  signals.once('SIGTERM', stop);
  try {
    return await withDataSource(config, async (dataSource) => {
      const service = serviceOn(config, new Transactions(dataSource));
      let failed = 0;
      const batches = await service.run({
        batchSize,
        stopped: () => stopped,
        onBatch: (batch) => {
          if (batch.skipped !== undefined) {
            out.log(`${batch.name}: left alone — ${batch.skipped}`);
          } else if (batch.progress && (batch.moved > 0 || batch.failed > 0 || batch.finished)) {
            out.log(`${batch.name}: ${progressLine(batch.progress)}`);
          }
          failed = batch.finished && batch.progress ? failed + batch.progress.failed : failed;
        },
      });
      if (stopped) {
        return 130;
      }
      out.log(`re-encryption done (${batches.length} batches)${failed > 0 ? `; ${failed} row(s) failed to move` : ''}`);
      return failed > 0 ? 1 : 0;
    });
  } finally {
    signals.off('SIGINT', stop);
    signals.off('SIGTERM', stop);
  }
}

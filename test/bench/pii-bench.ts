/**
 * Personal data at rest: SM4-GCM (sm-crypto-v2, pure JavaScript) against AES-256-GCM (Node's OpenSSL)
 * through PiiCryptoService itself — the same call the gateway makes per stored field — and the keyed
 * hash for lookups, HMAC-SM3 against HMAC-SHA256. Side by side in one run (see run.ts; printed, never
 * asserted): per round, 10,000 encryptions of a field (BENCH_PII_FIELDS), then 10,000 decryptions,
 * then 10,000 hashes, SM4 and AES rounds alternating so machine drift hits both. Median µs per field.
 *
 * Two field sizes: a person's ID number and name as JSON (what settlement_self_paid_visit.person_enc
 * holds, ~60 bytes) and a 2 KB JSON document (the order of an insurer answer or a session's evidence).
 */
import { decodeKeyring, generateKeyringDocument } from '../../src/platform/pii/keyring';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';

const FIELDS = Number(process.env.BENCH_PII_FIELDS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_PII_ROUNDS ?? 5);
const CONTEXT = 'settlement_self_paid_visit.person';

function microsPerField(work: (i: number) => unknown): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < FIELDS; i++) {
    work(i);
  }
  return Number(process.hrtime.bigint() - t0) / 1e3 / FIELDS;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchPii(): void {
  const sm4 = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k-sm4', 'sm4-gcm')));
  const aes = new PiiCryptoService(decodeKeyring(generateKeyringDocument('k-aes', 'aes-256-gcm')));
  const small = JSON.stringify({ idNumber: '64010419850312031X', name: '马建国' });
  const large = JSON.stringify({
    baseinfo: { certno: '64010419850312031X', psn_name: '马建国', notes: '工伤'.repeat(300) },
    padding: 'x'.repeat(1200),
  });
  const lines: string[] = [];
  for (const [label, field] of [
    [`${Buffer.byteLength(small)} B field`, small],
    [`${(Buffer.byteLength(large) / 1024).toFixed(1)} KB field`, large],
  ] as const) {
    const samples = {
      sm4: { enc: [] as number[], dec: [] as number[] },
      aes: { enc: [] as number[], dec: [] as number[] },
    };
    const sm4Sealed = Array.from({ length: 100 }, () => sm4.encrypt(field, CONTEXT));
    const aesSealed = Array.from({ length: 100 }, () => aes.encrypt(field, CONTEXT));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['sm4', 'aes'] as const) : (['aes', 'sm4'] as const);
      for (const which of order) {
        const pii = which === 'sm4' ? sm4 : aes;
        const sealed = which === 'sm4' ? sm4Sealed : aesSealed;
        samples[which].enc.push(microsPerField(() => pii.encrypt(field, CONTEXT)));
        samples[which].dec.push(microsPerField((i) => pii.decrypt(sealed[i % sealed.length], CONTEXT)));
      }
    }
    lines.push(row(`encrypt, ${label}`, median(samples.sm4.enc), median(samples.aes.enc)));
    lines.push(row(`decrypt, ${label}`, median(samples.sm4.dec), median(samples.aes.dec)));
  }
  const sm3: number[] = [];
  const sha: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    sm3.push(microsPerField((i) => sm4.hash(`64010419850312${String(i).padStart(4, '0')}`, 'person.idNumber')));
    sha.push(microsPerField((i) => aes.hash(`64010419850312${String(i).padStart(4, '0')}`, 'person.idNumber')));
  }
  lines.push(row('keyed hash of an ID number', median(sm3), median(sha), 'HMAC-SM3', 'HMAC-SHA256'));
  process.stdout.write(
    `\npii: ${FIELDS.toLocaleString('en')} fields per round, ${ROUNDS} rounds alternating, median µs per field\n` +
      `  ${''.padEnd(34)} ${'SM4-GCM'.padStart(12)} ${'AES-256-GCM'.padStart(12)}   ratio SM4/AES\n` +
      `${lines.join('\n')}\n`,
  );
}

function row(label: string, ours: number, theirs: number, a?: string, b?: string): string {
  const names = a && b ? ` (${a} vs ${b})` : '';
  return `  ${label.padEnd(34)} ${ours.toFixed(2).padStart(12)} ${theirs.toFixed(2).padStart(12)}   ${(ours / theirs).toFixed(1)}x${names}`;
}

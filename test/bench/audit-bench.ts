import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import {
  AuditChainRepository,
  AuditChainService,
  AuditRepository,
  AuditVerifier,
  canonicalJson,
  contentHashOf,
  databaseSchema,
  openDataSource,
  PLATFORM_FEATURE,
  runMigrations,
  SqlDialect,
  SystemClock,
  Transactions,
  uuidv7,
  type AuditEntry,
  type GatewayConfig,
} from '../../src/platform';
import { createPgSchema } from '../support/databases';

/**
 * The audit chain (docs/security.md#tamper-evident-audit-trail-sm3-hash-chain), side by side:
 *  - the append path: the content hash alone (µs per entry), and one-entry appends with it (the
 *    repository) against the same INSERT without it (the statement as it was);
 *  - the sealer against the append rate it must keep up with: BENCH_AUDIT_ENTRIES entries appended in
 *    1000-row statements, then sealed, then verified — entries/s each, on SQLite and (with
 *    GATEWAY_TEST_PG_URL) PostgreSQL.
 */
export async function benchAudit(entries = Number(process.env.BENCH_AUDIT_ENTRIES ?? 50_000)): Promise<void> {
  hashCost();
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-audit-'));
  await onDatabase(
    'SQLite',
    { url: `sqlite:${dir}/bench.sqlite`, poolSize: 1, migrateOnStart: true, schema: '' },
    dir,
    entries,
  );
  const pg = process.env.GATEWAY_TEST_PG_URL;
  if (pg) {
    const { schema, drop } = await createPgSchema(pg);
    try {
      await onDatabase('PostgreSQL', { url: pg, poolSize: 5, migrateOnStart: true, schema }, dir, entries);
    } finally {
      await drop();
    }
  } else {
    console.log('audit: PostgreSQL skipped (set GATEWAY_TEST_PG_URL)');
  }
}

const sample = (i: number): AuditEntry => ({
  id: uuidv7(),
  at: new Date(),
  actorType: 'api-key',
  actorId: 'k_0123456789abcdef',
  action: 'trace-code.scan',
  subjectHash: 'ab'.repeat(32),
  outcome: 'success',
  correlationId: `req-${i}`,
  details: { code: '81234567890123456789', desk: 'pharmacy-1', count: i % 7, codeKind: 'drug' },
});

function hashCost(): void {
  const n = 20_000;
  const entries = Array.from({ length: n }, (_, i) => sample(i));
  let t = performance.now();
  for (const e of entries) {
    JSON.stringify(e.details);
  }
  const plain = (performance.now() - t) / n;
  t = performance.now();
  for (const e of entries) {
    contentHashOf({ ...e, detailsText: canonicalJson(e.details) });
  }
  const hashed = (performance.now() - t) / n;
  console.log(
    `audit: content hash (canonical JSON + SM3) ${(hashed * 1000).toFixed(1)} µs/entry vs ${(plain * 1000).toFixed(1)} µs for the plain JSON.stringify it replaces`,
  );
}

async function onDatabase(
  name: string,
  database: { url: string; poolSize: number; migrateOnStart: boolean; schema: string },
  dir: string,
  n: number,
): Promise<void> {
  const ds = await openDataSource(database, dir, databaseSchema([PLATFORM_FEATURE]));
  try {
    await runMigrations(ds);
    await appendCost(name, ds);
    const audit = new AuditRepository(ds);
    const chain = new AuditChainRepository(ds);
    const config = { audit: { retentionMonths: 6, checkpointMinutes: 10, maxUnsealedMinutes: 10 } } as GatewayConfig;
    const sealer = new AuditChainService(new Transactions(ds), chain, new SystemClock(), config);
    await sealer.sealPending(); // the single appends above

    let t = performance.now();
    for (let i = 0; i < n; i += 1000) {
      await audit.appendAll(Array.from({ length: Math.min(1000, n - i) }, (_, k) => sample(i + k)));
    }
    const appendRate = n / ((performance.now() - t) / 1000);
    t = performance.now();
    let sealed = 0;
    for (let got = -1; got !== 0;) {
      got = await sealer.sealPending();
      sealed += got;
    }
    const sealRate = sealed / ((performance.now() - t) / 1000);
    t = performance.now();
    const report = await new AuditVerifier(chain).verify({ maxUnsealedMinutes: 10, now: new Date() });
    const verifyRate = report.checked / ((performance.now() - t) / 1000);
    console.log(
      `audit ${name}: ${n} entries — appended ${Math.round(appendRate)}/s (1000-row statements), sealed ${Math.round(sealRate)}/s ` +
        `(${(sealRate / appendRate).toFixed(2)}× the append rate), verified ${Math.round(verifyRate)}/s (${report.ok ? 'intact' : 'BROKEN'})`,
    );
  } finally {
    await ds.destroy();
  }
}

/** One-entry appends through the repository (content hash) against the same INSERT without the hash. */
async function appendCost(name: string, ds: DataSource): Promise<void> {
  const audit = new AuditRepository(ds);
  const d = SqlDialect.of(ds.manager);
  const rounds = 3;
  const per = 1000;
  let withHash = 0;
  let without = 0;
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    for (let i = 0; i < per; i++) {
      await audit.append(sample(i));
    }
    withHash += performance.now() - t;
    t = performance.now();
    for (let i = 0; i < per; i++) {
      const e = sample(i);
      await d.run(
        ds.manager,
        `INSERT INTO audit_log (id, at, actor_type, actor_id, action, subject_hash, outcome, correlation_id, details) VALUES (${d.list(9)})`,
        [
          e.id,
          d.time(e.at),
          e.actorType,
          e.actorId,
          e.action,
          e.subjectHash,
          e.outcome,
          e.correlationId,
          JSON.stringify(e.details),
        ],
      );
    }
    without += performance.now() - t;
  }
  const n = rounds * per;
  console.log(
    `audit ${name}: one-entry append ${((withHash / n) * 1000).toFixed(0)} µs with the content hash vs ${((without / n) * 1000).toFixed(0)} µs without (${(withHash / without).toFixed(2)}×)`,
  );
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GATEWAY_FEATURES, GATEWAY_SCHEMA } from '../../src/gateway.features';
import { CoverageCacheRepository } from '../../src/identity/coverage-cache.repository';
import { IdentitySession } from '../../src/identity/identity-session.entity';
import { IdentitySessionRepository } from '../../src/identity/identity-session.repository';
import { personKey, personKeys, personSubject } from '../../src/identity/person-key';
import { SessionEvidenceCipher } from '../../src/identity/session-evidence';
import { VerificationTokenService } from '../../src/identity/verification-token.service';
import { VerifiedWorkerService } from '../../src/identity/verified-worker.service';
import {
  auditServiceOn,
  type CatalogueError,
  decodeKeyring,
  featurePiiColumns,
  HealthRegistry,
  JobRunner,
  MetricsService,
  PiiColumnRegistry,
  PiiReencryptionJob,
  generateKeyringDocument,
  openDataSource,
  PiiCryptoService,
  PiiReencryptionService,
  type Principal,
  type ReencryptionBatch,
  rotateKeyringDocument,
  runMigrations,
  SystemClock,
  Transactions,
} from '../../src/platform';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';
import { testConfig } from '../support/test-config';
import { answerOf, SEED, storedSession } from '../support/identity-fixtures';

const dataDir = mkdtempSync(join(tmpdir(), 'gw-pii-rotate-'));
const T0 = new Date('2026-11-25T02:00:00.000Z');
const PEOPLE = Array.from({ length: 30 }, (_, i) => `6401041985031${String(i).padStart(4, '0')}X`);
const COLUMNS = featurePiiColumns(GATEWAY_FEATURES);

/** The keyrings of an AES-era installation, then after `pii rotate --algorithm sm4-gcm`, then after another SM4 rotation. */
const aesDoc = generateKeyringDocument('k1', 'aes-256-gcm');
const sm4Doc = rotateKeyringDocument(aesDoc, { keyId: 'k2', algorithm: 'sm4-gcm' });
const sm4AgainDoc = rotateKeyringDocument(sm4Doc, { keyId: 'k3' });
const aes = new PiiCryptoService(decodeKeyring(aesDoc));
const sm4 = new PiiCryptoService(decodeKeyring(sm4Doc));
const sm4Again = new PiiCryptoService(decodeKeyring(sm4AgainDoc));

function session(id: string, certno: string, pii: PiiCryptoService): IdentitySession {
  return storedSession(id, T0, {
    subjectKey: personKey(pii, certno),
    evidence: new SessionEvidenceCipher(pii).seal({ evidence: {}, insurerAsked: certno }),
    expiresAt: T0,
  });
}

const answerFor = (certno: string) =>
  answerOf(SEED.activeFingers, (a) => ({ ...a, baseinfo: { ...a.baseinfo, certno } }));

describe.each(availableDatabases())('PII key rotation and re-encryption on %s', (kind: DbKind) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;
  const sessions = (): IdentitySessionRepository => new IdentitySessionRepository(ds);
  const reencryption = (pii: PiiCryptoService): PiiReencryptionService =>
    new PiiReencryptionService(new Transactions(ds), pii, COLUMNS, new SystemClock());
  /** The app's background job and /health component (pii.reencryptBatchSize 4), on the keyring `pii`. */
  const job = (pii: PiiCryptoService): PiiReencryptionJob =>
    new PiiReencryptionJob(
      testConfig({ pii: { reencryptBatchSize: 4 } }),
      new JobRunner(new MetricsService()),
      new Transactions(ds),
      pii,
      new PiiColumnRegistry(COLUMNS),
      new SystemClock(),
      new HealthRegistry(),
    );
  const rawColumn = async (sql: string): Promise<string[]> =>
    (await ds.query<Array<{ v: string }>>(sql)).map((r) => r.v);

  /** What the app answers with `pii`'s keyring: each person's session (by id) and cached coverage (by person key). */
  async function lookups(pii: PiiCryptoService): Promise<void> {
    const cipher = new SessionEvidenceCipher(pii);
    const cache = new CoverageCacheRepository(ds, pii);
    for (const [i, certno] of PEOPLE.entries()) {
      const row = (await sessions().findById(`s-${String(i).padStart(3, '0')}`)) as IdentitySession;
      expect(cipher.read(row).insurerAsked).toBe(certno);
      expect(personKeys(pii, certno)).toContain(row.subjectKey);
      expect((await cache.find(personKeys(pii, certno)))?.answer.baseinfo.certno).toBe(certno);
    }
  }

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    // An AES-era database, written through the repositories with the old keyring.
    const cache = new CoverageCacheRepository(ds, aes);
    await auditServiceOn(ds, aes, new SystemClock()).record({
      actor: { type: 'system', id: 'system:test' },
      action: 'identity.doctor-view',
      outcome: 'success',
      subject: personSubject(PEOPLE[3]),
    });
    for (const [i, certno] of PEOPLE.entries()) {
      await new Transactions(ds).run((m) =>
        sessions().save(session(`s-${String(i).padStart(3, '0')}`, certno, aes), m),
      );
      await cache.store(personKey(aes, certno), answerFor(certno), T0);
    }
  });
  afterAll(async () => {
    await ds?.destroy();
    await cleanup?.();
  });

  it('moves an AES-era database to SM4 while lookups keep answering, and resumes after a crash without redoing rows', async () => {
    await lookups(aes);
    expect(await rawColumn('SELECT evidence AS v FROM identity_session')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^pii2:aes:k1:/)]),
    );

    // The first run stops ("crashes") after 3 batches of 7 sessions (columns with nothing to move, such
    // as the empty outbox's, are only looked at: they end at once and are not counted).
    const first = await reencryption(sm4).run({ batchSize: 7, maxBatches: 3 });
    expect(first.filter((b) => !b.done).map((b) => [b.name, b.moved])).toEqual([
      ['identity_session.evidence', 7],
      ['identity_session.evidence', 7],
      ['identity_session.evidence', 7],
    ]);
    const movedBeforeCrash = await rawColumn(
      `SELECT evidence AS v FROM identity_session WHERE evidence LIKE 'pii2:sm4:k2:%' ORDER BY id`,
    );
    expect(movedBeforeCrash).toHaveLength(21);
    // Half done: every row still answers, whichever key it is on; /health says how far it is.
    await lookups(sm4);
    expect(await job(sm4).check()).toEqual({
      status: 'up',
      detail: 'active key k2 (sm4-gcm); re-encrypting: 21 of 30 rows moved',
    });

    // Meanwhile the app writes with the new keyring: one person's coverage under the new person key.
    await new CoverageCacheRepository(ds, sm4).store(personKey(sm4, PEOPLE[0]), answerFor(PEOPLE[0]), T0);

    // A restarted run continues where the first stopped, lookups checked between its batches.
    const second: ReencryptionBatch[] = [];
    for (;;) {
      const work = (await reencryption(sm4).run({ batchSize: 7, maxBatches: 1 })).filter((b) => !b.done || b.finished);
      if (work.length === 0) {
        break;
      }
      second.push(...work);
      await lookups(sm4);
      if (second.length > 50) {
        throw new Error('re-encryption does not end');
      }
    }
    expect(second.filter((b) => b.name === 'identity_session.evidence').reduce((n, b) => n + b.moved, 0)).toBe(9);
    // The 21 rows moved before the crash were not encrypted again.
    expect(
      await rawColumn(
        `SELECT evidence AS v FROM identity_session WHERE id IN (${movedBeforeCrash.map((_, i) => `'s-${String(i).padStart(3, '0')}'`).join(',')}) ORDER BY id`,
      ),
    ).toEqual(movedBeforeCrash);

    const status = await reencryption(sm4).status();
    const byName = new Map(status.map((s) => [s.name, s]));
    expect(byName.get('identity_session.evidence')).toMatchObject({
      encrypted: 30,
      perKey: { k1: 0, k2: 30 },
      unknown: 0,
      progress: { targetKey: 'k2', toMove: 30, moved: 30, failed: 0, finishedAt: expect.any(Date) },
    });
    // The coverage row of PEOPLE[0] under the old key was dropped (the app had written the person's newer one).
    expect(byName.get('identity_coverage_cache.answer')).toMatchObject({
      encrypted: 30,
      perKey: { k1: 0, k2: 30 },
      progress: { toMove: 30, moved: 30, failed: 0 },
    });
    expect(await rawColumn('SELECT subject_key AS v FROM identity_session ORDER BY id')).toEqual(
      PEOPLE.map((c) => personKey(sm4, c)),
    );
    expect((await rawColumn('SELECT subject_key AS v FROM identity_coverage_cache')).sort()).toEqual(
      PEOPLE.map((c) => personKey(sm4, c)).sort(),
    );
    await lookups(sm4);
    // The audit log is never rewritten: its AES-era subject hash is found under the old lookup key.
    const audited = await auditServiceOn(ds, sm4, new SystemClock()).find({
      subject: personSubject(PEOPLE[3]),
      limit: 10,
    });
    expect(audited.map((e) => e.action)).toEqual(['identity.doctor-view']);
  });

  it('two runners side by side move each row once; a row on a lost key is counted as failed with its reason', async () => {
    await ds.query(
      `INSERT INTO identity_coverage_cache (subject_key, answer, fetched_at) VALUES ('lost', 'pii2:sm4:k0:AAAA', '2026-11-25 02:00:00')`,
    );
    // The background job (pii.reencryptBatchSize 4) beside `gateway pii reencrypt`'s service.
    const batches: ReencryptionBatch[] = [];
    const [, b] = await Promise.all([
      job(sm4Again).run((batch) => batches.push(batch)),
      reencryption(sm4Again).run({ batchSize: 4 }),
    ]);
    const a = batches;
    const moved = (column: string): number =>
      [...a, ...b].filter((x) => x.name === column).reduce((n, x) => n + x.moved, 0);
    expect(moved('identity_session.evidence')).toBe(30);
    expect(moved('identity_coverage_cache.answer')).toBe(30);
    const status = new Map((await reencryption(sm4Again).status()).map((s) => [s.name, s]));
    expect(status.get('identity_session.evidence')).toMatchObject({
      perKey: { k1: 0, k2: 0, k3: 30 },
      progress: { targetKey: 'k3', toMove: 30, moved: 30, failed: 0 },
    });
    expect(status.get('identity_coverage_cache.answer')).toMatchObject({
      perKey: { k3: 30 },
      unknown: 1,
      progress: {
        targetKey: 'k3',
        moved: 30,
        failed: 1,
        lastFailure: expect.stringMatching(/^lost: PII key k0 is not in the keyring/),
      },
    });
    expect(await job(sm4Again).check()).toMatchObject({
      status: 'degraded',
      detail: expect.stringContaining('1 row(s) failed to move — see: gateway pii status'),
    });
    // SM4 → SM4 keeps the lookup key: person keys did not change.
    expect(await rawColumn('SELECT subject_key AS v FROM identity_session ORDER BY id')).toEqual(
      PEOPLE.map((c) => personKey(sm4, c)),
    );
    await lookups(sm4Again);
  });

  it('a 自费转工伤 recorded under the AES-era person key still matches the worker verified after the rotation', async () => {
    const certno = SEED.activeFingers.certno;
    const stored = { evidence: { insurer: { kind: 'answer' as const, answer: answerOf(SEED.activeFingers), at: T0 } } };
    const row = Object.assign(session('s-conv', certno, sm4Again), {
      evidence: new SessionEvidenceCipher(sm4Again).seal(stored),
    });
    await new Transactions(ds).run((m) => sessions().save(row, m));
    const config = testConfig();
    const clock = new SystemClock();
    const tokens = new VerificationTokenService(config, clock, sm4Again);
    const { token } = tokens.issue(
      { subjectKey: personKey(sm4Again, certno), visitId: 'V1', sessionId: 's-conv', verdictAt: clock.now() },
      clock.now(),
    );
    const workers = new VerifiedWorkerService(
      tokens,
      sessions(),
      new SessionEvidenceCipher(sm4Again),
      sm4Again,
      auditServiceOn(ds, sm4Again, clock),
    );
    const his: Principal = { type: 'system', id: 'his-test', name: 'HIS', scopes: ['settlement'] };
    // The self-paid visit's person key was made with the AES-era lookup key.
    await expect(workers.workerForConversion(token, his, personKey(aes, certno))).resolves.toMatchObject({
      visitId: 'V1',
    });
    const refused = await workers
      .workerForConversion(token, his, personKey(aes, SEED.dotName.certno))
      .catch((e: unknown) => e as CatalogueError);
    expect(refused).toMatchObject({ code: 'TOKEN_WRONG_PERSON' });
  });
});

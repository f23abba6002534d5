import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { generateKeyringDocument } from '../../src/platform/pii/keyring';
import type { SandboxStats } from '../../src/sandbox/message-store';
import { SandboxInsurer } from '../../src/sandbox/sandbox-insurer';
import { SEED } from '../../src/sandbox/seed-people';
import { writeSigningKey } from '../../src/upstream/signing-keys';
import { postgresUrl, testDatabase } from '../support/databases';
import { startTestApp, type TestApp } from '../support/e2e-app';
import { eventually } from '../support/eventually';
import { matchTokenByQr } from '../support/match-token';
import { outpatientVisit } from '../support/settlement-visits';

jest.setTimeout(120_000);

const WORKER = SEED.activeFingers;
const MAPPING = ['院内项目编码,院内项目名称,项目类别,医保目录编码', 'ZL001,换药（中）,诊疗,001203000010000'].join(
  '\r\n',
);
type Settlement = { id: string; status: string; msgid: string; setlId: string | null };

const pg = postgresUrl();
if (!pg) {
  process.stderr.write(
    '\n[skip] two-instance settlement e2e skipped: set GATEWAY_TEST_PG_URL=postgres://user@127.0.0.1:5432/test to run it (CI always does).\n',
  );
}

/**
 * Two gateway instances on one PostgreSQL (a hospital's pair behind its load balancer), one insurer:
 * HIS's settle request for the same visit reaches both at once, over HTTP. Exactly one settlement is
 * made and sent; both answers name it (or the loser says it is in progress); the insurer gets one 2207.
 */
(pg ? describe : describe.skip)('two gateway instances on one PostgreSQL settling the same visit', () => {
  const instances: TestApp[] = [];
  const bases: string[] = [];
  let keys: string[] = [];
  let sandbox: SandboxInsurer;
  let insurer: string;
  let dir: string;
  let cleanup: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-two-'));
    const db = await testDatabase('postgres', dir);
    cleanup = db.cleanup;
    const signing = writeSigningKey(join(dir, 'signing.json'), 'gw-two');
    sandbox = new SandboxInsurer({ gatewayKeys: { [signing.id]: signing.publicKey } });
    insurer = (await sandbox.start()).replace(/\/$/, '');
    // One keyring, one database, one signing key: what the two instances of one hospital share.
    const keyring = generateKeyringDocument('k-two');
    for (let i = 0; i < 2; i++) {
      const t = await startTestApp({
        database: db.database,
        pii: { keyringFile: '', keyring },
        settlement: { waitForOutcomeMs: 5000 },
        upstream: {
          baseUrl: insurer,
          signing: { keyFile: join(dir, 'signing.json'), insurerPublicKey: sandbox.publicKey },
          dispatcher: { pollIntervalMs: 50 },
        },
      });
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      instances.push(t);
      bases.push(`http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`);
    }
    // An API key made on one instance is good on the other (same database).
    keys = [await instances[0].token(['settlement', 'identity'])];
    keys.push(keys[0]);
  });
  afterAll(async () => {
    for (const t of instances) {
      await t.close();
    }
    await sandbox?.stop();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const on = (i: number) => (method: 'post' | 'put' | 'get', path: string, body?: object) => {
    const r = request(bases[i])[method](path).set('authorization', `Bearer ${keys[i]}`);
    return body ? r.send(body) : r;
  };
  const stats = async (): Promise<SandboxStats> =>
    (await request(insurer).get('/sandbox/stats').expect(200)).body as SandboxStats;

  it('exactly one settlement, one 2207 at the insurer; both answers name it', async () => {
    const a = on(0);
    const VISIT = 'MZ20261203D1';
    await a('post', '/api/v1/settlement/catalogue/imports', {
      fileName: '对码.csv',
      contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
    }).expect(201);
    await a('post', '/api/v1/settlement/visits', outpatientVisit(VISIT, WORKER.psn_no)).expect(201);
    await a('put', `/api/v1/settlement/visits/${VISIT}/lines`, {
      lines: [
        {
          lineId: '1',
          hisItemCode: 'ZL001',
          itemName: '换药（中）',
          kind: 'service',
          count: '1',
          unitPriceFen: 3000,
          amountFen: 3000,
          serviceDate: '2026-11-25',
          injuryRelated: true,
        },
      ],
    }).expect(200);
    // The MATCH made through instance A; the token is good on B (the secret comes from the shared keyring).
    const token = await matchTokenByQr(a, insurer, WORKER, VISIT);
    const before = (await stats()).byInfno['2207'] ?? 0;

    const answers = await Promise.all(
      [0, 1].map((i) =>
        on(i)('post', `/api/v1/settlement/visits/${VISIT}/settlement`).set('x-verification-token', token),
      ),
    );
    const named = new Set<string>();
    for (const r of answers) {
      if (r.status === 409) {
        expect(r.body).toMatchObject({ code: 'SETTLEMENT_IN_PROGRESS' });
      } else {
        expect([201, 202]).toContain(r.status);
        named.add((r.body as Settlement).id);
      }
    }
    expect(named.size).toBe(1);
    const [id] = [...named];
    // Either instance answers the same settlement, settled once.
    let status = 'pending';
    await eventually(
      async () => {
        status = ((await on(1)('get', `/api/v1/settlement/settlements/${id}`).expect(200)).body as Settlement).status;
        return status !== 'pending';
      },
      'the settlement to leave pending',
      30_000,
    );
    expect(status).toBe('settled');
    const listed = (await on(1)('get', `/api/v1/settlement/visits/${VISIT}/settlements`).expect(200))
      .body as Settlement[];
    expect(listed.map((s) => [s.id, s.status])).toEqual([[id, 'settled']]);
    expect(((await stats()).byInfno['2207'] ?? 0) - before).toBe(1);
  });
});

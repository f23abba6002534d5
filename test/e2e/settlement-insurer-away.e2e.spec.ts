import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import { openDataSource } from '../../src/platform/database/data-source';
import { ApiKeyService } from '../../src/platform/auth/api-key.service';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import { SEED } from '../../src/sandbox/seed-people';
import { UPSTREAM_LINK, type UpstreamLink } from '../../src/upstream/upstream-link';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';
import { eventually } from '../support/eventually';
import { poppler, popplerAvailable } from '../support/poppler';
import { testConfig } from '../support/test-config';
import { connectEvents } from '../support/ws-client';
import { dressingLine, outpatientVisit } from '../support/settlement-visits';

/**
 * Issue 13, R14: settling while the insurer is away, over HTTP with the sandbox insurer inside the
 * gateway. The insurer fails every request (its faults API) until the link is in emergency mode;
 * the worker gets an offline MATCH from the coverage cache (PSAM card reader); the settlement is
 * then refused (`whenInsurerDown: refuse`) or queued provisional (`queue`) with a 临时结算单. When
 * the insurer is back — in the running gateway, or after a restart on the same database — the queued
 * 2207 goes out, the settlement is settled and a difference from the provisional split is listed.
 */
jest.setTimeout(180_000);

const DESK = '门诊收费1';
const WORKER = SEED.activeFingers;
/** ZF…: an item the sandbox insurer holds outside its catalogue; the hospital's mapping cannot know it. */
const MAPPING = [
  '院内项目编码,院内项目名称,项目类别,医保目录编码',
  'ZL001,换药（中）,诊疗,001203000010000',
  'CL002,进口敷料,材料,ZF2026000000001',
].join('\r\n');

type Split = { totalFen: number; fundFen: number; selfPayFen: number; deskCollectsFen?: number };
type Settlement = {
  id: string;
  status: string;
  setlId: string | null;
  msgid: string;
  provisional: boolean;
  provisionalSplit: Split | null;
  split: Split | null;
  deskCollectsFen: number | null;
};
type Difference = {
  id: string;
  settlementId: string;
  visitId: string;
  cause: string;
  provisionalFen: number;
  finalFen: number;
  differenceFen: number;
  direction: string;
  state: string;
  message: string;
};
type Health = { components: Record<string, Record<string, unknown> & { status: string }> };

const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => {
  let last: T | undefined;
  try {
    await eventually(
      async () => {
        last = await read();
        return ok(last);
      },
      what,
      60_000,
      100,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last: ${JSON.stringify(last)}`);
  }
  return last as T;
};

const line = dressingLine;
/** The pre-audit puts the dressing to the fund; the insurer finds it outside its catalogue: 10.00 yuan more to collect. */
const DIFFERING = [
  line('1'),
  line('2', { hisItemCode: 'CL002', itemName: '进口敷料', kind: 'material', unitPriceFen: 1000, amountFen: 1000 }),
];
/** The not-injury-related line is the worker's under both. */
const SAME = [line('1'), line('2', { injuryRelated: false, unitPriceFen: 2000, amountFen: 2000 })];

/** One gateway on the shared database and data folder; the sandbox insurer runs inside it. */
class Gateway {
  app!: NestFastifyApplication;
  base = '';
  insurer = '';
  key = '';

  static async boot(config: GatewayConfig): Promise<Gateway> {
    const g = new Gateway();
    __resetOutOfContextForTests();
    g.app = await createApp(config);
    await g.app.init();
    await g.app.getHttpAdapter().getInstance().ready();
    await g.app.listen({ host: '127.0.0.1', port: 0 });
    g.base = `http://127.0.0.1:${(g.app.getHttpServer().address() as AddressInfo).port}`;
    g.insurer = g.app.get<UpstreamLink>(UPSTREAM_LINK).baseUrl.replace(/\/$/, '');
    g.key = (
      await g.app.get(ApiKeyService).create(
        {
          name: 'HIS',
          scopes: ['settlement', 'identity', 'admin'],
          expiresAt: new Date(Date.now() + 30 * 86_400_000),
        },
        { type: 'system', id: 'e2e' },
      )
    ).token;
    return g;
  }

  send(method: 'post' | 'put' | 'get', path: string, body?: object): request.Test {
    const r = request(this.base)[method](path).set('authorization', `Bearer ${this.key}`);
    return body ? r.send(body) : r;
  }

  async health(): Promise<Health> {
    return (await request(this.base).get('/health')).body as Health;
  }

  async openVisit(visitId: string, lines: object[]): Promise<void> {
    await this.send('post', '/api/v1/settlement/visits', outpatientVisit(visitId, WORKER.psn_no)).expect(201);
    await this.send('put', `/api/v1/settlement/visits/${visitId}/lines`, { lines }).expect(200);
  }

  /** A verification session for the worker (HIS names them): while the insurer answers, its 1101 fills the coverage cache. */
  async session(
    visitId: string,
    desk = DESK,
  ): Promise<{ id: string; verdict: string; offline: boolean; token: string | null }> {
    return (
      await this.send('post', '/api/v1/identity/sessions', {
        desk,
        visitId,
        visitKind: 'outpatient',
        hisIdentity: { idNumber: WORKER.certno, name: WORKER.psn_name },
      }).expect(201)
    ).body as { id: string; verdict: string; offline: boolean; token: string | null };
  }

  /** The insurer fails every request; the gateway keeps asking (1101) until the link is in emergency mode. */
  async insurerDown(): Promise<void> {
    await request(this.insurer).put('/sandbox/faults').send({ errorRate: 1 }).expect(200);
    let n = 0;
    await until(
      async () => {
        await this.session(`PROBE-${++n}`, '门诊挂号9'); // another desk: the card reads go to DESK's sessions
        return this.health();
      },
      (h) => h.components.upstream?.mode === 'emergency',
      'emergency mode',
    );
  }

  /** The worker's social security card in the desk's PSAM reader: an offline MATCH from the coverage cache. */
  async offlineMatch(visitId: string): Promise<string> {
    const s = await this.session(visitId);
    await request(this.base).post('/api/v1/sandbox/devices/card/present').send({ person: 'activeFingers' }).expect(200);
    try {
      const matched = await until(
        async () => (await this.send('get', `/api/v1/identity/sessions/${s.id}`).expect(200)).body as typeof s,
        (x) => x.verdict === 'MATCH',
        'the offline MATCH',
      );
      expect(matched.offline).toBe(true);
      return matched.token as string;
    } finally {
      await request(this.base).post('/api/v1/sandbox/devices/card/remove').send({}).expect(200);
    }
  }

  settle(visitId: string, token: string): request.Test {
    return this.send('post', `/api/v1/settlement/visits/${visitId}/settlement`, { desk: DESK })
      .set('x-verification-token', token)
      .set('idempotency-key', `${visitId}-1`);
  }

  async settlement(id: string): Promise<Settlement> {
    return (await this.send('get', `/api/v1/settlement/settlements/${id}`).expect(200)).body as Settlement;
  }

  async differences(state?: string): Promise<Difference[]> {
    return (await this.send('get', `/api/v1/settlement/differences${state ? `?state=${state}` : ''}`).expect(200))
      .body as Difference[];
  }

  /** Stops it as it is: an insurer down stays down until the gateway (and its sandbox insurer) is gone. */
  async close(): Promise<void> {
    await this.app.close();
  }
}

describe.each(availableDatabases())('settling while the insurer is away, on %s', (kind: DbKind) => {
  let config: GatewayConfig;
  let cleanup: () => Promise<void>;
  let gw: Gateway | undefined;
  /** Queued before the second gateway stopped; settled by the third. */
  let carried: Settlement;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-away-e2e-'));
    const db = await testDatabase(kind, dir);
    cleanup = db.cleanup;
    config = testConfig({
      dataDir: dir,
      database: db.database,
      sandboxInsurer: { enabled: true, port: 0 },
      settlement: { waitForOutcomeMs: 5000 },
      upstream: {
        emergency: { afterMs: 300, probeIntervalMs: 100 },
        // A short lease: on PostgreSQL the restarted gateway takes over a message the stopped one held once it runs out.
        defaultTimeoutMs: 1500,
        dispatcher: { pollIntervalMs: 50, backoffBaseMs: 100, backoffMaxMs: 500, leaseMs: 2000 },
      },
      devices: [{ id: 'card', kind: 'ssse-card', transport: 'simulated', desk: DESK, cardAuth: 'simulated-psam' }],
    });
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('refuse: 503 SETTLEMENT_INSURER_DOWN with the emergency message, nothing recorded or queued', async () => {
    gw = await Gateway.boot({ ...config, settlement: { ...config.settlement, whenInsurerDown: 'refuse' } });
    await gw
      .send('post', '/api/v1/settlement/catalogue/imports', {
        fileName: '对码.csv',
        contentBase64: Buffer.from(MAPPING, 'utf8').toString('base64'),
      })
      .expect(201);
    expect(await gw.session('CACHE-1')).toMatchObject({ offline: false }); // the coverage cache, while the insurer answers
    await gw.openVisit('MZR1', SAME);
    await gw.insurerDown();
    const token = await gw.offlineMatch('MZR1');
    const refused = await gw.settle('MZR1', token).expect(503);
    expect(refused.body).toMatchObject({ code: 'SETTLEMENT_INSURER_DOWN', message: expect.stringContaining('应急') });
    expect((await gw.send('get', '/api/v1/settlement/visits/MZR1/settlements').expect(200)).body).toEqual([]);
    expect((await gw.send('get', '/api/v1/settlement/visits/MZR1').expect(200)).body).toMatchObject({ state: 'open' });
    const outbox = await gw.send('get', `/api/v1/admin/outbox?subjectKey=${encodeURIComponent('settlement:MZR1')}`);
    expect(outbox.status).toBe(200);
    expect(outbox.body).toEqual([]);
  });

  it('queue: provisional at once with its 临时结算单; once the insurer is back, settled and the difference listed', async () => {
    gw = await Gateway.boot(config);
    await gw.openVisit('MZQ1', DIFFERING);
    await gw.openVisit('MZQ2', SAME);
    await gw.insurerDown();
    const ws = await connectEvents(
      `${gw.base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(DESK)}`,
      {
        headers: { authorization: `Bearer ${gw.key}` },
      },
    );
    try {
      const started = Date.now();
      const first = await gw.settle('MZQ1', await gw.offlineMatch('MZQ1')).expect(202);
      expect(Date.now() - started).toBeLessThan(5000 + 20_000); // never waits for the outcome
      const a = first.body as Settlement;
      expect(first.headers.location).toBe(`/api/v1/settlement/settlements/${a.id}`);
      expect(a).toMatchObject({
        status: 'provisional',
        provisional: true,
        split: null,
        provisionalSplit: { totalFen: 4000, fundFen: 4000, selfPayFen: 0, deskCollectsFen: 0 },
      });
      const b = (await gw.settle('MZQ2', await gw.offlineMatch('MZQ2')).expect(202)).body as Settlement;
      expect(b.provisionalSplit).toMatchObject({
        totalFen: 5000,
        fundFen: 3000,
        selfPayFen: 2000,
        deskCollectsFen: 2000,
      });
      const told = await ws.waitFor((m) => m.visitId === 'MZQ1' && m.status === 'provisional', 'the provisional event');
      expect(told.message).toContain('临时结算');
      expect(told.amounts).toMatchObject({ totalFen: 4000, fundFen: 4000, deskCollectsFen: 0 });

      const pdf = await gw.send('get', `/api/v1/settlement/settlements/${a.id}/statement.pdf`).expect(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      if (popplerAvailable()) {
        const text = poppler('pdftotext', ['-layout', '-', '-'], pdf.body as Buffer).toString('utf8');
        expect(text).toContain('临时结算单');
        expect(text).toContain('以经办机构结算结果为准');
        expect(text).toContain('40.00');
      }
      const waiting = (await gw.health()).components.settlement;
      expect(waiting).toMatchObject({
        status: 'degraded',
        provisional: 2,
        detail: expect.stringContaining('provisional'),
      });

      // The insurer is back: the probe gets through, the link is normal, the queued 2207s go out.
      await request(gw.insurer).delete('/sandbox/faults').expect(200);
      const settledA = await until(
        () => gw!.settlement(a.id),
        (s) => s.status === 'settled',
        'MZQ1 settled',
      );
      // The insurer's split: the dressing is the worker's (工伤保险目录外项目).
      expect(settledA).toMatchObject({
        provisional: true,
        split: { fundFen: 3000, selfPayFen: 1000 },
        deskCollectsFen: 1000,
      });
      const settledB = await until(
        () => gw!.settlement(b.id),
        (s) => s.status === 'settled',
        'MZQ2 settled',
      );
      expect(settledB).toMatchObject({ split: { fundFen: 3000, selfPayFen: 2000 }, deskCollectsFen: 2000 });

      const open = await gw.differences('open');
      expect(open.map((d) => d.settlementId)).toEqual([a.id]);
      expect(open[0]).toMatchObject({
        visitId: 'MZQ1',
        cause: 'split-differs',
        provisionalFen: 0,
        finalFen: 1000,
        differenceFen: 1000,
        direction: 'collect',
        message: expect.stringContaining('请向患者补收 10.00 元'),
      });
      const after = await ws.waitFor((m) => m.visitId === 'MZQ1' && m.status === 'settled', 'the settled event');
      expect(after.message).toContain('补收 10.00 元');
      const final = await gw.send('get', `/api/v1/settlement/settlements/${a.id}/statement.pdf`).expect(200);
      if (popplerAvailable()) {
        const text = poppler('pdftotext', ['-layout', '-', '-'], final.body as Buffer).toString('utf8');
        expect(text).not.toContain('临时结算单');
        expect(text).toContain(settledA.setlId as string);
      }

      const done = await gw
        .send('post', `/api/v1/settlement/differences/${open[0].id}/resolve`, {
          staff: '张三',
          note: '已补收 10.00 元',
        })
        .expect(200);
      expect(done.body).toMatchObject({ state: 'done', resolutionNote: '已补收 10.00 元' });
      const twice = await gw
        .send('post', `/api/v1/settlement/differences/${open[0].id}/resolve`, {
          staff: '张三',
          note: '再次',
        })
        .expect(409);
      expect(twice.body).toMatchObject({ code: 'SETTLEMENT_DIFFERENCE_RESOLVED' });
      expect(await gw.differences('open')).toEqual([]);
      expect((await gw.health()).components.settlement).toMatchObject({ provisional: 0, openDifferences: 0 });
      const metrics = (await request(gw.base).get('/metrics').expect(200)).text;
      expect(metrics).toContain('gateway_settlements_provisional_total{kind="outpatient"} 2');
      expect(metrics).toContain('gateway_settlement_differences_total{direction="collect"} 1');

      // Down again, and the gateway stops while a provisional settlement waits.
      await gw.openVisit('MZQ3', DIFFERING);
      await gw.insurerDown();
      carried = (await gw.settle('MZQ3', await gw.offlineMatch('MZQ3')).expect(202)).body as Settlement;
      expect(carried.status).toBe('provisional');
    } finally {
      await ws.close();
    }
  });

  it('nothing lost across a restart: the provisional settlement goes out from the restarted gateway, its difference listed', async () => {
    expect(carried?.status).toBe('provisional');
    // Still provisional in the database the stopped gateway left, its 2207 waiting in the outbox.
    const ds = await openDataSource(config.database, config.dataDir, GATEWAY_SCHEMA);
    try {
      const rows = await ds.query<Array<{ status: string; outbox: string }>>(
        `SELECT r.status AS status, o.status AS outbox FROM settlement_record r JOIN outbox_message o ON o.msgid = r.msgid WHERE r.id = '${carried.id}'`,
      );
      expect(rows).toEqual([{ status: 'provisional', outbox: expect.not.stringMatching(/^delivered$/) as string }]);
    } finally {
      await ds.destroy();
    }
    gw = await Gateway.boot(config);
    const done = await until(
      () => gw!.settlement(carried.id),
      (s) => s.status === 'settled',
      'MZQ3 settled after the restart',
    );
    expect(done).toMatchObject({ msgid: carried.msgid, deskCollectsFen: 1000 });
    const open = await gw.differences('open');
    expect(open).toEqual([
      expect.objectContaining({ settlementId: carried.id, direction: 'collect', differenceFen: 1000 }),
    ]);
    expect((await gw.health()).components.settlement).toMatchObject({ provisional: 0, openDifferences: 1 });
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AgentsService } from '../../src/agents/agents.service';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { startTestApp, type TestApp } from '../support/e2e-app';
import { PinnedClock } from '../support/pinned-clock';

jest.setTimeout(60_000);

type Json = Record<string, unknown>;

/**
 * The desk-agent registry over HTTP on every database: IT's admin routes (and no one else's), the
 * agent's code-for-credential exchange without an API key, and a revocation that refuses the agent.
 */
describe.each(availableDatabases())('desk agents over HTTP on %s', (kind: DbKind) => {
  const clock = new PinnedClock(new Date('2026-12-03T02:00:00Z'));
  let t: TestApp;
  let admin: string;
  let identity: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await testDatabase(kind, mkdtempSync(join(tmpdir(), 'gw-agents-e2e-')));
    cleanup = db.cleanup;
    t = await startTestApp({ database: db.database, agents: { enrolmentTtlMinutes: 30 } }, undefined, { clock });
    admin = await t.token(['admin']);
    identity = await t.token(['identity', 'trace-codes', 'settlement', 'operations', 'forms']);
  });
  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  const http = () => request(t.app.getHttpServer());
  const enrolment = async (body: Json): Promise<Json> =>
    (await http().post('/api/v1/agents/enrolments').set('authorization', `Bearer ${admin}`).send(body).expect(201))
      .body as Json;
  const enrol = (body: Json) => http().post('/api/v1/agents/enrol').send(body);

  it('admin routes answer 401 without a key and 403 to every other scope', async () => {
    const id = '0190aaaa-0000-7000-8000-000000000000';
    const routes: Array<[string, string, Json?]> = [
      ['post', '/api/v1/agents/enrolments', { desk: '门诊挂号3' }],
      ['get', '/api/v1/agents'],
      ['get', `/api/v1/agents/${id}`],
      ['patch', `/api/v1/agents/${id}`, { name: 'x' }],
      ['post', `/api/v1/agents/${id}/revoke`, { reason: 'x' }],
    ];
    for (const [method, path, body] of routes) {
      const call = (auth?: string) => {
        const r = (http() as unknown as Record<string, (p: string) => request.Test>)[method](path);
        return (auth ? r.set('authorization', `Bearer ${auth}`) : r).send(body);
      };
      expect([path, (await call()).status]).toEqual([path, 401]);
      const forbidden = await call(identity);
      expect([path, forbidden.status, forbidden.body.code]).toEqual([path, 403, 'AUTH_SCOPE_MISSING']);
    }
    expect(await t.app.get(AgentsService).list(true)).toEqual([]);
  });

  it('IT makes a code; the agent exchanges it once, without an API key; the list shows the agent', async () => {
    const code = await enrolment({ desk: '门诊挂号3', name: '挂号3号窗口' });
    expect(code).toEqual({
      code: expect.stringMatching(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/),
      desk: '门诊挂号3',
      name: '挂号3号窗口',
      expiresAt: '2026-12-03T02:30:00.000Z',
    });
    const enrolled = await enrol({ code: code.code, hostname: 'GH-PC-03', agentVersion: '0.1.0' }).expect(201);
    expect(enrolled.body).toEqual({
      agentId: expect.any(String),
      credential: expect.stringMatching(/^gwa_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/),
      desk: '门诊挂号3',
      name: '挂号3号窗口',
    });
    const again = await enrol({ code: code.code }).expect(409);
    expect(again.body).toMatchObject({ code: 'AGENT_ENROLMENT_USED', message: expect.stringContaining('只能用一次') });

    const list = await http().get('/api/v1/agents').set('authorization', `Bearer ${admin}`).expect(200);
    expect(list.body).toEqual([
      expect.objectContaining({
        id: enrolled.body.agentId,
        name: '挂号3号窗口',
        desk: '门诊挂号3',
        state: 'active',
        connected: false,
        lastSeenAt: null,
        hostname: 'GH-PC-03',
      }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(enrolled.body.credential.split('_').slice(2).join('_'));

    const auth = await t.app.get(AgentsService).authenticate(enrolled.body.credential, '10.20.3.17');
    expect(auth).toEqual({ ok: true, agent: { id: enrolled.body.agentId, name: '挂号3号窗口', desk: '门诊挂号3' } });
    const one = await http()
      .get(`/api/v1/agents/${enrolled.body.agentId}`)
      .set('authorization', `Bearer ${admin}`)
      .expect(200);
    expect(one.body).toMatchObject({ lastSeenAt: '2026-12-03T02:00:00.000Z', lastAddress: '10.20.3.17' });
  });

  it('refuses unknown and expired codes with their own code, counted in /metrics', async () => {
    expect((await enrol({ code: 'ABCDE-FGHJK' }).expect(401)).body.code).toBe('AGENT_ENROLMENT_UNKNOWN');
    const bad = await enrol({ code: 7 }).expect(400);
    expect(new Set(bad.body.details.map((d: Json) => d.field))).toEqual(new Set(['code']));
    expect(bad.body.details).toContainEqual(expect.objectContaining({ code: 'isString', message: '必须是文字' }));

    const code = await enrolment({ desk: '西药房1', ttlMinutes: 2 });
    clock.advance(2 * 60_000);
    const expired = await enrol({ code: code.code }).expect(410);
    expect(expired.body).toMatchObject({ code: 'AGENT_ENROLMENT_EXPIRED', message: expect.stringContaining('10:02') });

    const metrics = (await http().get('/metrics').expect(200)).text;
    // A body that is not a code at all is refused by validation (400) before it is counted.
    expect(metrics).toContain('gateway_agent_enrolments_total{outcome="refused",code="AGENT_ENROLMENT_UNKNOWN"} 1');
    expect(metrics).toContain('gateway_agent_enrolments_total{outcome="refused",code="AGENT_ENROLMENT_EXPIRED"} 1');
    expect(metrics).toContain('gateway_agent_enrolments_total{outcome="refused",code="AGENT_ENROLMENT_USED"} 1');
    expect(metrics).toContain('gateway_agent_enrolments_total{outcome="enrolled",code=""} 1');
  });

  it('refuses a bad desk or lifetime, saying which', async () => {
    const r = await http()
      .post('/api/v1/agents/enrolments')
      .set('authorization', `Bearer ${admin}`)
      .send({ desk: '', ttlMinutes: 5000 })
      .expect(400);
    expect(r.body.details.map((d: Json) => d.field).sort()).toEqual(['desk', 'ttlMinutes']);
  });

  it('renames, moves and revokes, each in the audit log; the revoked agent is refused at once', async () => {
    const code = await enrolment({ desk: '门诊挂号8' });
    const { agentId, credential } = (await enrol({ code: code.code, hostname: 'pc-8' }).expect(201)).body as {
      agentId: string;
      credential: string;
    };
    const patch = (body: Json) =>
      http().patch(`/api/v1/agents/${agentId}`).set('authorization', `Bearer ${admin}`).send(body);
    expect((await patch({ name: '挂号8号窗口', desk: '急诊挂号1' }).expect(200)).body).toMatchObject({
      name: '挂号8号窗口',
      desk: '急诊挂号1',
    });
    const revoke = await http()
      .post(`/api/v1/agents/${agentId}/revoke`)
      .set('authorization', `Bearer ${admin}`)
      .send({ reason: '工位电脑报废' })
      .expect(200);
    expect(revoke.body).toMatchObject({ state: 'revoked', revokedReason: '工位电脑报废' });
    expect(await t.app.get(AgentsService).authenticate(credential)).toMatchObject({ ok: false, code: 'AGENT_REVOKED' });
    expect((await patch({ name: 'x' }).expect(409)).body.code).toBe('AGENT_ALREADY_REVOKED');

    const listed = await http().get('/api/v1/agents').set('authorization', `Bearer ${admin}`).expect(200);
    expect(listed.body.map((a: Json) => a.id)).not.toContain(agentId);
    const all = await http().get('/api/v1/agents?all=true').set('authorization', `Bearer ${admin}`).expect(200);
    expect(all.body.map((a: Json) => a.id)).toContain(agentId);

    for (const action of ['agent.rename', 'agent.move', 'agent.revoke']) {
      const audit = await http()
        .get(`/api/v1/admin/audit?action=${action}`)
        .set('authorization', `Bearer ${admin}`)
        .expect(200);
      expect([action, audit.body.items ?? audit.body]).toEqual([
        action,
        expect.arrayContaining([expect.objectContaining({ details: expect.objectContaining({ agentId }) })]),
      ]);
    }
    expect(
      (await http().get('/api/v1/agents/nope').set('authorization', `Bearer ${admin}`).expect(404)).body.code,
    ).toBe('AGENT_NOT_FOUND');
  });
});

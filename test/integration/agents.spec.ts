import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { agentServicesOn } from '../../src/agents/standalone-agents';
import type { AgentsService } from '../../src/agents/agents.service';
import type { EnrolmentsService } from '../../src/agents/enrolments.service';
import { GATEWAY_SCHEMA } from '../../src/gateway.features';
import {
  type AuditService,
  auditServiceOn,
  CatalogueError,
  loadKeyring,
  openDataSource,
  PiiCryptoService,
  type Principal,
  runMigrations,
} from '../../src/platform';
import { availableDatabases, DbKind, testDatabase } from '../support/databases';
import { PinnedClock } from '../support/pinned-clock';
import { testConfig } from '../support/test-config';

jest.setTimeout(60_000);

const dataDir = mkdtempSync(join(tmpdir(), 'gw-agents-'));
const IT: Principal = { type: 'api-key', id: 'it-key', name: '信息科', scopes: ['admin'] };

/** What a refused call threw: its code (fails the test when it did not throw a catalogue error). */
async function refusal(work: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  try {
    await work;
  } catch (e) {
    if (e instanceof CatalogueError) {
      return { code: e.code, status: e.status, message: e.message };
    }
    throw e;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

/**
 * The desk-agent registry on the real databases: enrolment codes work once and expire, two exchanges
 * of one code have one winner (two gateway instances on PostgreSQL), revocation refuses the agent at
 * its next authentication on every instance, and every change is audited.
 */
describe.each(availableDatabases())('the desk-agent registry on %s', (kind: DbKind) => {
  const config = testConfig({ agents: { enrolmentTtlMinutes: 60 } });
  const clock = new PinnedClock(new Date('2026-12-03T01:00:00Z'));
  let ds: DataSource;
  let other: DataSource;
  let cleanup: () => Promise<void>;
  let audit: AuditService;
  let agents: AgentsService;
  let enrolments: EnrolmentsService;
  /** The same registry as a second gateway instance sees it (its own data source). */
  let otherInstance: { agents: AgentsService; enrolments: EnrolmentsService };

  beforeAll(async () => {
    const t = await testDatabase(kind, dataDir);
    cleanup = t.cleanup;
    ds = await openDataSource(t.database, dataDir, GATEWAY_SCHEMA);
    await runMigrations(ds);
    other = kind === 'postgres' ? await openDataSource(t.database, dataDir, GATEWAY_SCHEMA) : ds;
    const pii = new PiiCryptoService(loadKeyring(config.pii));
    audit = auditServiceOn(ds, pii, clock);
    ({ agents, enrolments } = agentServicesOn(ds, config, { clock, audit, pii }));
    otherInstance = agentServicesOn(other, config, { clock, audit: auditServiceOn(other, pii, clock), pii });
  });

  afterAll(async () => {
    if (other !== ds) {
      await other?.destroy();
    }
    await ds?.destroy();
    await cleanup?.();
  });

  it('gives a code that works once: the agent gets its credential, the database only hashes', async () => {
    const code = await enrolments.create({ desk: ' 门诊挂号3 ', name: '挂号3号窗口' }, IT);
    expect(code).toEqual({
      code: expect.stringMatching(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/),
      desk: '门诊挂号3',
      name: '挂号3号窗口',
      expiresAt: '2026-12-03T02:00:00.000Z',
    });
    const enrolled = await enrolments.exchange(
      { code: code.code.toLowerCase(), hostname: 'GH-PC-03', agentVersion: '0.1.0' },
      '10.20.3.17',
    );
    expect(enrolled).toEqual({
      agentId: expect.any(String),
      credential: expect.stringMatching(/^gwa_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/),
      desk: '门诊挂号3',
      name: '挂号3号窗口',
    });
    expect(enrolled.credential.replace(/-/g, '')).toContain(enrolled.agentId.replace(/-/g, ''));

    const again = await refusal(enrolments.exchange({ code: code.code }, '10.20.3.99'));
    expect(again).toMatchObject({ code: 'AGENT_ENROLMENT_USED', status: 409 });
    expect(again.message).toContain('2026-12-03 09:00');

    const secret = enrolled.credential.split('_').slice(2).join('_');
    const dump = JSON.stringify([
      await ds.query('SELECT * FROM agent'),
      await ds.query('SELECT * FROM agent_enrolment'),
      await ds.query('SELECT * FROM audit_log'),
    ]);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(code.code);
    expect(dump).not.toContain(code.code.replace('-', ''));

    expect(await agents.get(enrolled.agentId)).toMatchObject({
      name: '挂号3号窗口',
      desk: '门诊挂号3',
      state: 'active',
      hostname: 'GH-PC-03',
      agentVersion: '0.1.0',
      connected: false,
      lastSeenAt: null,
    });
    const entries = await audit.find({ action: 'agent.enrol', limit: 10 });
    expect(entries.map((e) => [e.outcome, e.details?.code ?? null])).toEqual([
      ['denied', 'AGENT_ENROLMENT_USED'],
      ['success', null],
    ]);
    expect(entries[0].details).toMatchObject({ address: '10.20.3.99', desk: '门诊挂号3' });
    expect((await audit.find({ action: 'agent.enrolment.create', limit: 1 }))[0]).toMatchObject({
      actorId: 'it-key',
      details: { desk: '门诊挂号3' },
    });
  });

  it('names the agent after the desk PC when IT gave no name, else after the desk', async () => {
    const a = await enrolments.create({ desk: '西药房1' }, IT);
    expect((await enrolments.exchange({ code: a.code, hostname: 'XYF-PC-1' }, null)).name).toBe('XYF-PC-1');
    const b = await enrolments.create({ desk: '西药房2' }, IT);
    expect((await enrolments.exchange({ code: b.code }, null)).name).toBe('西药房2');
  });

  it('lets a code expire: it works until its expiry and never after', async () => {
    const short = await enrolments.create({ desk: '住院结算1', ttlMinutes: 5 }, IT);
    const late = await enrolments.create({ desk: '住院结算1' }, IT);
    clock.advance(5 * 60_000 - 1);
    await expect(enrolments.exchange({ code: short.code }, null)).resolves.toMatchObject({ desk: '住院结算1' });
    clock.advance(60 * 60_000);
    const expired = await refusal(enrolments.exchange({ code: late.code }, '10.0.0.9'));
    expect(expired).toMatchObject({ code: 'AGENT_ENROLMENT_EXPIRED', status: 410 });
    expect(expired.message).toContain('过期');
    expect(
      await ds.query(`SELECT used_at FROM agent_enrolment WHERE desk = '住院结算1' AND used_at IS NULL`),
    ).toHaveLength(1);
  });

  it('refuses unknown and malformed codes alike, audits and stores nothing else', async () => {
    const before = Number((await ds.query('SELECT COUNT(*) AS n FROM agent'))[0].n);
    expect(await refusal(enrolments.exchange({ code: 'ABCDE-FGHJK' }, '10.9.9.9'))).toMatchObject({
      code: 'AGENT_ENROLMENT_UNKNOWN',
      status: 401,
    });
    expect(await refusal(enrolments.exchange({ code: 'not a code' }, '10.9.9.9'))).toMatchObject({
      code: 'AGENT_ENROLMENT_UNKNOWN',
    });
    expect(Number((await ds.query('SELECT COUNT(*) AS n FROM agent'))[0].n)).toBe(before);
    const denied = (await audit.find({ action: 'agent.enrol', limit: 2 })).map((e) => e.details);
    expect(denied).toEqual([
      expect.objectContaining({ code: 'AGENT_ENROLMENT_UNKNOWN', address: '10.9.9.9', enrolmentId: null }),
      expect.objectContaining({ code: 'AGENT_ENROLMENT_UNKNOWN', address: '10.9.9.9' }),
    ]);
  });

  it('refuses bad desks, names and lifetimes, naming each, and stores nothing', async () => {
    const bad = await refusal(enrolments.create({ desk: ' ', name: 'x'.repeat(101), ttlMinutes: 1441 }, IT));
    expect(bad).toMatchObject({ code: 'AGENT_ENROLMENT_INVALID', status: 422 });
    await expect(enrolments.create({ desk: 'd'.repeat(41) }, IT)).rejects.toMatchObject({
      details: [{ field: 'desk', message: '工位名称应为 1 到 40 个字符' }],
    });
  });

  it('lets exactly one of several simultaneous exchanges of one code win, across two instances', async () => {
    const code = await enrolments.create({ desk: '门诊挂号5' }, IT);
    const tries = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? enrolments : otherInstance.enrolments).exchange({ code: code.code, hostname: `pc-${i}` }, null),
      ),
    );
    const won = tries.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of tries.filter((t) => t.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: 'AGENT_ENROLMENT_USED' });
    }
    expect(await ds.query(`SELECT id FROM agent WHERE desk = '门诊挂号5'`)).toHaveLength(1);
  });

  it('authenticates the credential, records when and where, and refuses a wrong or unknown one', async () => {
    const { code } = await enrolments.create({ desk: '门诊收费1' }, IT);
    const { agentId, credential } = await enrolments.exchange({ code }, null);
    expect(await agents.authenticate(`${credential}\n`, '10.20.1.5')).toEqual({
      ok: true,
      agent: { id: agentId, name: '门诊收费1', desk: '门诊收费1' },
    });
    expect(await agents.get(agentId)).toMatchObject({
      lastSeenAt: clock.now().toISOString(),
      lastAddress: '10.20.1.5',
    });

    const wrongSecret = credential.slice(0, -3) + (credential.endsWith('AAA') ? 'BBB' : 'AAA');
    expect(await agents.authenticate(wrongSecret)).toMatchObject({ ok: false, code: 'AGENT_UNKNOWN' });
    expect(
      await agents.authenticate(credential.replace(agentId.replace(/-/g, '').slice(0, 8), '00000000')),
    ).toMatchObject({ ok: false, code: 'AGENT_UNKNOWN' });
    expect(await agents.authenticate('gwk_000000000000_x')).toMatchObject({
      ok: false,
      code: 'AGENT_UNKNOWN',
      message: expect.stringContaining('登记'),
    });
  });

  it('refuses a revoked agent at its very next authentication, on the other instance too', async () => {
    const { code } = await enrolments.create({ desk: '门诊挂号7' }, IT);
    const { agentId, credential } = await enrolments.exchange({ code }, null);
    expect(await otherInstance.agents.authenticate(credential)).toMatchObject({ ok: true });
    expect(await agents.authenticate(credential)).toMatchObject({ ok: true });

    const revoked = await agents.revoke(agentId, ' 工位电脑报废 ', IT);
    expect(revoked).toMatchObject({
      state: 'revoked',
      revokedReason: '工位电脑报废',
      revokedAt: clock.now().toISOString(),
    });
    expect(await otherInstance.agents.authenticate(credential)).toMatchObject({ ok: false, code: 'AGENT_REVOKED' });
    expect(await agents.authenticate(credential)).toMatchObject({ ok: false, code: 'AGENT_REVOKED' });

    // Revoking again changes nothing and is not audited twice.
    await agents.revoke(agentId, '再次', IT);
    const entries = (await audit.find({ action: 'agent.revoke', limit: 10 })).filter(
      (e) => e.details?.agentId === agentId,
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: 'it-key', details: { reason: '工位电脑报废', desk: '门诊挂号7' } });
    expect((await agents.get(agentId)).revokedReason).toBe('工位电脑报废');

    expect((await agents.list()).map((a) => a.id)).not.toContain(agentId);
    expect((await agents.list(true)).map((a) => a.id)).toContain(agentId);
    expect(await refusal(agents.change(agentId, { name: 'x' }, IT))).toMatchObject({
      code: 'AGENT_ALREADY_REVOKED',
      status: 409,
    });
  });

  it('renames and moves an agent, each audited with what it was and what it is', async () => {
    const { code } = await enrolments.create({ desk: '门诊挂号8', name: '旧名' }, IT);
    const { agentId, credential } = await enrolments.exchange({ code }, null);
    clock.advance(1000);
    expect(await agents.change(agentId, { name: '新名' }, IT)).toMatchObject({ name: '新名', desk: '门诊挂号8' });
    expect(await agents.change(agentId, { desk: '急诊挂号1' }, IT)).toMatchObject({ name: '新名', desk: '急诊挂号1' });
    expect(await agents.authenticate(credential)).toEqual({
      ok: true,
      agent: { id: agentId, name: '新名', desk: '急诊挂号1' },
    });
    const mine = async (action: string) =>
      (await audit.find({ action, limit: 20 })).filter((e) => e.details?.agentId === agentId).map((e) => e.details);
    expect(await mine('agent.rename')).toEqual([{ agentId, from: '旧名', to: '新名' }]);
    expect(await mine('agent.move')).toEqual([{ agentId, from: '门诊挂号8', to: '急诊挂号1' }]);

    // Nothing to change: no audit entry; nothing asked: refused.
    await agents.change(agentId, { name: '新名' }, IT);
    expect(await mine('agent.rename')).toHaveLength(1);
    expect(await refusal(agents.change(agentId, {}, IT))).toMatchObject({ code: 'AGENT_CHANGE_INVALID' });
    expect(await refusal(agents.change('0190aaaa-0000-7000-8000-000000000000', { name: 'x' }, IT))).toMatchObject({
      code: 'AGENT_NOT_FOUND',
      status: 404,
    });
  });
});

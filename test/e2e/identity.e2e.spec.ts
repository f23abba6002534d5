import SwaggerParser from '@apidevtools/swagger-parser';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { personKey } from '../../src/identity/person-key';
import { VerificationTokenService } from '../../src/identity/verification-token.service';
import { ApiKeyService } from '../../src/platform/auth/api-key.service';
import { AuditService } from '../../src/platform/audit/audit.service';
import { StaffService } from '../../src/platform/staff/staff.service';
import { Clock } from '../../src/platform/clock';
import type { GatewayConfig } from '../../src/platform/config/gateway-config';
import { PiiCryptoService } from '../../src/platform/pii/pii-crypto.service';
import { SEED } from '../../src/sandbox/seed-people';
import { UPSTREAM_LINK, type UpstreamLink } from '../../src/upstream/upstream-link';
import { eventually } from '../support/eventually';
import { testConfig } from '../support/test-config';
import { connectEvents, type EventClient } from '../support/ws-client';

// Simulated devices, the sandbox insurer and its HSM step on a loaded CI machine: waits are bounded by `eventually`.
jest.setTimeout(60_000);

/** The system clock moved forward by `offsetMs`: lets the test age QR codes, caches and tokens without waiting. */
class ShiftedClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

type Session = {
  id: string;
  verdict: string;
  offline: boolean;
  coverage: string;
  token: string | null;
  checks: Array<{ code: string; passed: boolean; evidence: string[]; message: string }>;
  missing: Array<{ code: string }>;
};

const failed = (s: Session): string[] => s.checks.filter((c) => !c.passed).map((c) => c.code);

/**
 * Person–card–code verification end to end: simulated readers at two desks, the sandbox insurer
 * (1101, 1161, 1165) inside the gateway, QR codes minted by the insurer, and its faults for "insurer down".
 */
describe('identity verification (人、卡、码相符)', () => {
  const DESK_A = '门诊挂号1';
  const DESK_B = '住院处1';
  const CACHE_AGE_MS = 10 * 60_000;
  const TOKEN_TTL_MS = 5 * 60_000;
  const clock = new ShiftedClock();
  let app: NestFastifyApplication;
  let config: GatewayConfig;
  let base: string;
  let insurer: string;
  let key: string;
  const clients: EventClient[] = [];
  const logLines: string[] = [];

  beforeAll(async () => {
    config = testConfig({
      // Everything logged, so that the last test can show no personal data reaches the log.
      logging: { level: 'trace', requestBodies: true },
      sandboxInsurer: { enabled: true, port: 0 },
      upstream: { emergency: { afterMs: 200, probeIntervalMs: 100 } },
      identity: { maxCoverageCacheAgeMs: CACHE_AGE_MS, tokenTtlMs: TOKEN_TTL_MS, sessionTtlMs: 24 * 3600_000 },
      devices: [
        { id: 'a-card', kind: 'ssse-card', transport: 'simulated', desk: DESK_A },
        { id: 'a-idcard', kind: 'id-card', transport: 'simulated', desk: DESK_A },
        { id: 'a-scanner', kind: 'scanner', transport: 'simulated', desk: DESK_A },
        // The PSAM reader needs no insurer: it reads while the insurer is down.
        { id: 'b-card', kind: 'ssse-card', transport: 'simulated', desk: DESK_B, cardAuth: 'simulated-psam' },
      ],
    });
    __resetOutOfContextForTests();
    app = await createApp(config, { clock, logDestination: { write: (line: string) => logLines.push(line) } });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    insurer = app.get<UpstreamLink>(UPSTREAM_LINK).baseUrl.replace(/\/$/, '');
    key = (await app.get(ApiKeyService).create({ name: 'HIS', scopes: ['identity'] }, { type: 'system', id: 'e2e' }))
      .token;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await request(insurer).delete('/sandbox/faults');
  });
  afterAll(async () => {
    await app.close();
  });

  const api = {
    post: (path: string, body: object) => request(base).post(path).set('authorization', `Bearer ${key}`).send(body),
    get: (path: string) => request(base).get(path).set('authorization', `Bearer ${key}`),
  };
  const present = async (device: string, person: string): Promise<void> => {
    await request(base).post(`/api/v1/sandbox/devices/${device}/present`).send({ person }).expect(200);
  };
  const remove = async (device: string): Promise<void> => {
    await request(base).post(`/api/v1/sandbox/devices/${device}/remove`).send({}).expect(200);
  };
  const qrFor = async (certno: string): Promise<string> =>
    (
      (await request(insurer).post('/sandbox/qr-tokens').send({ certno, kind: 'ecard' }).expect(201)).body as {
        token: string;
      }
    ).token;
  let visit = 0;
  const start = async (
    desk: string,
    visitKind: 'outpatient' | 'inpatient',
    his?: { idNumber: string; name: string },
  ): Promise<Session> =>
    (
      await api
        .post('/api/v1/identity/sessions', {
          desk,
          visitId: `V${++visit}`,
          visitKind,
          ...(his ? { hisIdentity: his } : {}),
        })
        .expect(201)
    ).body as Session;
  const session = async (id: string): Promise<Session> =>
    (await api.get(`/api/v1/identity/sessions/${id}`).expect(200)).body as Session;
  const until = async (id: string, check: (s: Session) => boolean, what: string): Promise<Session> => {
    let last: Session | undefined;
    try {
      await eventually(async () => check((last = await session(id))), what, 20_000, 50);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}; last: ${JSON.stringify(last && { verdict: last.verdict, offline: last.offline, failed: failed(last), missing: last.missing })}`,
      );
    }
    return last as Session;
  };
  const his = (role: keyof typeof SEED) => ({ idNumber: SEED[role].certno, name: SEED[role].psn_name });

  it('card, QR code and ID card of the same covered worker → MATCH with a token pushed to the desk; the doctor view shows the injury', async () => {
    const desk = await connectEvents(
      `${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(DESK_A)}`,
      { headers: { authorization: `Bearer ${key}` } },
    );
    clients.push(desk);
    const s = await start(DESK_A, 'outpatient');
    expect(s).toMatchObject({ verdict: 'INCOMPLETE', token: null });
    expect(s.missing.map((m) => m.code)).toEqual(['NEED_CREDENTIAL', 'NEED_PERSON', 'NEED_COVERAGE']);

    await present('a-card', 'activeFingers');
    await until(
      s.id,
      (x) => x.checks.some((c) => c.code === 'CARD_AUTH_REQUIRED' && c.passed) && x.coverage === 'confirmed',
      'the card read and the 1101 answer',
    );
    await present('a-idcard', 'activeFingers');
    const afterId = await until(s.id, (x) => x.verdict === 'MATCH', 'MATCH from card + ID card');
    expect(afterId.token).toMatch(/^gvt1\./);
    const qr = await api
      .post(`/api/v1/identity/sessions/${s.id}/qr`, { text: await qrFor(SEED.activeFingers.certno) })
      .expect(200);
    const match = qr.body as Session;
    expect(match).toMatchObject({ verdict: 'MATCH', offline: false, coverage: 'confirmed' });
    expect(failed(match)).toEqual([]);
    expect(match.checks.find((c) => c.code === 'ID_NUMBER_MISMATCH')).toMatchObject({
      passed: true,
      evidence: ['card', 'qr', 'idCard', 'insurer'],
    });
    await remove('a-card');

    const pushed = await desk.waitFor(
      (m) => m.type === 'verdict' && m.sessionId === s.id && m.verdict === 'MATCH',
      'the verdict pushed to the desk',
    );
    expect(pushed.token).toMatch(/^gvt1\./);
    expect(JSON.stringify(pushed)).not.toContain(SEED.activeFingers.certno);

    const token = match.token as string;
    const view = await api.get('/api/v1/identity/doctor-view').set('x-verification-token', token).expect(200);
    expect(view.body).toMatchObject({
      injuredParts: SEED.activeFingers.injury.injured_parts,
      injuryStatus: 'determined',
      occupationalDisease: null,
      category: 'injury',
      determinationNo: SEED.activeFingers.injury.determination_no,
      coverageSource: 'insurer',
      visitId: `V${visit}`,
    });
    await api.post('/api/v1/identity/doctor-view', { token }).expect(200);

    // Stored encrypted: the database holds no name or ID number in clear.
    const rows = await app
      .get(DataSource)
      .query<Array<Record<string, unknown>>>('SELECT * FROM identity_session WHERE id = ?', [s.id]);
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(SEED.activeFingers.certno);
    expect(stored).not.toContain(SEED.activeFingers.psn_name);
    const cacheRows = await app
      .get(DataSource)
      .query<Array<{ answer: string }>>('SELECT * FROM identity_coverage_cache');
    const cache = JSON.stringify(cacheRows);
    expect(cache).not.toContain(SEED.activeFingers.certno);
    // A keyring made as for a new installation (pii init, the sandbox) encrypts with SM4-GCM.
    expect(rows[0].evidence).toMatch(/^pii2:sm4:ktest:/);
    expect(cacheRows.map((r) => r.answer.slice(0, 15))).toContain('pii2:sm4:ktest:');

    // Audited: card read, QR decode, verdict; the subject by keyed hash only.
    const audit = await app
      .get(DataSource)
      .query<Array<{ action: string; actor_id: string; subject_hash: string | null; details: string }>>(
        "SELECT action, actor_id, subject_hash, details FROM audit_log WHERE action LIKE 'identity.%'",
      );
    const actions = new Set(audit.map((a) => a.action));
    for (const action of [
      'identity.session.create',
      'identity.card-read',
      'identity.id-card-read',
      'identity.qr-decode',
      'identity.verdict',
      'identity.doctor-view',
    ]) {
      expect(actions).toContain(action);
    }
    expect(audit.find((a) => a.action === 'identity.card-read')?.actor_id).toBe('device:a-card');
    expect(JSON.stringify(audit)).not.toContain(SEED.activeFingers.certno);
    const subjectKey = personKey(app.get(PiiCryptoService), SEED.activeFingers.certno);
    expect(audit.some((a) => a.action === 'identity.verdict' && a.subject_hash === subjectKey)).toBe(true);
  });

  it('a token is bound to person, hospital and visit, refuses tampering, and expires', async () => {
    const s = await start(DESK_A, 'inpatient', his('dotName'));
    const match = (
      await api.post(`/api/v1/identity/sessions/${s.id}/qr`, { text: await qrFor(SEED.dotName.certno) }).expect(200)
    ).body as Session;
    expect(match.verdict).toBe('MATCH');
    const token = match.token as string;
    const identity = app.get(VerificationTokenService);
    expect(identity.checkToken(token, { idNumber: SEED.dotName.certno, visitId: `V${visit}` })).toMatchObject({
      sessionId: s.id,
      visitId: `V${visit}`,
    });
    expect(() => identity.checkToken(token, { idNumber: SEED.activeFingers.certno })).toThrow(
      expect.objectContaining({ code: 'TOKEN_WRONG_PERSON' }),
    );
    expect(() => identity.checkToken(token, { hospitalCode: 'H64010400123' })).toThrow(
      expect.objectContaining({ code: 'TOKEN_WRONG_HOSPITAL' }),
    );
    expect(() => identity.checkToken(token, { visitId: 'another-visit' })).toThrow(
      expect.objectContaining({ code: 'TOKEN_WRONG_VISIT' }),
    );
    const [prefix, payload, sig] = token.split('.');
    const forged = Buffer.from(payload, 'base64url')
      .toString('utf8')
      .replace(/"h":"[^"]+"/, '"h":"H64010400123"');
    const tampered = `${prefix}.${Buffer.from(forged, 'utf8').toString('base64url')}.${sig}`;
    expect(
      (await api.get('/api/v1/identity/doctor-view').set('x-verification-token', tampered).expect(403)).body,
    ).toMatchObject({ code: 'TOKEN_BAD_SIGNATURE' });
    expect((await api.get('/api/v1/identity/doctor-view').expect(403)).body).toMatchObject({ code: 'TOKEN_MISSING' });

    clock.offsetMs += TOKEN_TTL_MS + 1000;
    const expired = await api.get('/api/v1/identity/doctor-view').set('x-verification-token', token).expect(403);
    expect(expired.body).toMatchObject({ code: 'TOKEN_EXPIRED', message: expect.stringMatching(/过期/) });
    // The session still matches within its own lifetime: reading it gives a fresh token.
    const renewed = await session(s.id);
    expect(renewed.verdict).toBe('MATCH');
    expect(renewed.token).not.toBe(token);
    await api
      .get('/api/v1/identity/doctor-view')
      .set('x-verification-token', renewed.token as string)
      .expect(200);
  });

  it("another person's QR code with the card → MISMATCH naming the code", async () => {
    const s = await start(DESK_A, 'outpatient');
    await present('a-card', 'activeFingers');
    await until(s.id, (x) => x.coverage === 'confirmed', 'the card and 1101');
    const r = (
      await api.post(`/api/v1/identity/sessions/${s.id}/qr`, { text: await qrFor(SEED.dotName.certno) }).expect(200)
    ).body as Session;
    await remove('a-card');
    expect(r.verdict).toBe('MISMATCH');
    expect(r.token).toBeNull();
    const mismatch = r.checks.find((c) => c.code === 'ID_NUMBER_MISMATCH');
    expect(mismatch).toMatchObject({ passed: false });
    expect(mismatch?.evidence).toEqual(expect.arrayContaining(['card', 'qr']));
    expect(mismatch?.message).toContain('二维码');
    expect(JSON.stringify(r)).not.toContain(SEED.dotName.certno);
  });

  it('an expired card, a lost card and an expired or invalid QR code each give their own verdict and code', async () => {
    const expired = await start(DESK_A, 'outpatient', his('expiredCard'));
    await present('a-card', 'expiredCard');
    const e = await until(
      expired.id,
      (x) => x.checks.some((c) => c.code === 'CARD_EXPIRED' && !c.passed) && x.coverage === 'confirmed',
      'the expired card',
    );
    await remove('a-card');
    expect(e.verdict).toBe('INCOMPLETE');
    expect(e.missing.map((m) => m.code)).toContain('NEED_CREDENTIAL');

    const lost = await start(DESK_A, 'outpatient', his('lostCard'));
    await present('a-card', 'lostCard');
    const l = await until(lost.id, (x) => x.verdict !== 'INCOMPLETE', 'the lost card');
    await remove('a-card');
    expect(l.verdict).toBe('MISMATCH');
    expect(failed(l)).toContain('CARD_LOST');

    const qrSession = await start(DESK_A, 'outpatient', his('activeFingers'));
    const text = await qrFor(SEED.activeFingers.certno);
    const live = (await api.post(`/api/v1/identity/sessions/${qrSession.id}/qr`, { text }).expect(200)).body as Session;
    expect(live.verdict).toBe('MATCH');
    clock.offsetMs += 61_000;
    // Read again after the code ran out: it was live when shown and decoded, so the verdict stands.
    const later = await session(qrSession.id);
    expect(later).toMatchObject({ verdict: 'MATCH', token: live.token });
    // Scanned again after expiry: the insurer refuses it as expired, and the session has no credential left.
    const rescanned = (await api.post(`/api/v1/identity/sessions/${qrSession.id}/qr`, { text }).expect(200))
      .body as Session;
    expect(rescanned).toMatchObject({ verdict: 'INCOMPLETE', token: null });
    expect(failed(rescanned)).toContain('QR_EXPIRED');
    const invalid = (
      await api
        .post(`/api/v1/identity/sessions/${qrSession.id}/qr`, { text: 'ESSC0000000000000000000000000000000000000000' })
        .expect(200)
    ).body as Session;
    expect(invalid.verdict).toBe('INCOMPLETE');
    expect(failed(invalid)).toContain('QR_INVALID');
  });

  it.each([
    ['uninsured', 'outpatient', 'NOT_INSURED'],
    ['threeSigned', 'outpatient', 'NOT_SIGNED_HERE'],
    ['crossNoFiling', 'inpatient', 'CROSS_PROVINCE_NO_FILING'],
    ['pending', 'inpatient', 'DETERMINATION_PENDING'],
  ] as const)('%s (%s) → NOT_COVERED with %s', async (role, kind, code) => {
    const s = await start(DESK_A, kind, his(role));
    const r = (
      await api.post(`/api/v1/identity/sessions/${s.id}/qr`, { text: await qrFor(SEED[role].certno) }).expect(200)
    ).body as Session;
    expect(r.verdict).toBe('NOT_COVERED');
    expect(failed(r)).toContain(code);
    expect(r.checks.filter((c) => !c.passed).every((c) => (c as { effect?: string }).effect === 'not-covered')).toBe(
      true,
    );
    expect(r.token).toBeNull();
  });

  it('the same worker admitted as an inpatient where he is not signed is covered (signing binds outpatient care only)', async () => {
    const s = await start(DESK_A, 'inpatient', his('threeSigned'));
    const r = (
      await api.post(`/api/v1/identity/sessions/${s.id}/qr`, { text: await qrFor(SEED.threeSigned.certno) }).expect(200)
    ).body as Session;
    expect(r.verdict).toBe('MATCH');
  });

  it('insurer down: an offline verdict from the cache within its age, pending beyond it, re-checked when the insurer returns', async () => {
    // While the insurer answers, 1101 for activeFingers fills the coverage cache.
    const online = await start(DESK_B, 'inpatient', his('activeFingers'));
    expect(online).toMatchObject({ offline: false, coverage: 'confirmed' });
    await request(insurer).put('/sandbox/faults').send({ errorRate: 1 }).expect(200);
    const s = await start(DESK_B, 'outpatient', his('activeFingers'));
    await present('b-card', 'activeFingers');
    const offline = await until(s.id, (x) => x.offline && x.verdict !== 'INCOMPLETE', 'the offline verdict');
    expect(offline).toMatchObject({ verdict: 'MATCH', offline: true, coverage: 'cached' });
    expect(offline.token).toMatch(/^gvt1\./);
    const doctor = await api
      .get('/api/v1/identity/doctor-view')
      .set('x-verification-token', offline.token as string)
      .expect(200);
    expect(doctor.body).toMatchObject({
      coverageSource: 'coverageCache',
      injuredParts: SEED.activeFingers.injury.injured_parts,
    });

    // The cache grows older than allowed while the insurer is still away: coverage pending.
    clock.offsetMs += CACHE_AGE_MS + 60_000;
    const stale = await session(s.id);
    expect(stale).toMatchObject({ verdict: 'INCOMPLETE', offline: true, coverage: 'pending', token: null });
    expect(failed(stale)).toContain('COVERAGE_PENDING');
    expect(stale.missing.map((m) => m.code)).toEqual(['NEED_COVERAGE']);

    // A worker never seen before has no cache at all.
    const unknown = await start(DESK_B, 'inpatient', his('retiredDisease'));
    expect(unknown).toMatchObject({ verdict: 'INCOMPLETE', offline: true, coverage: 'pending' });

    // A QR code scanned while the insurer is away cannot be decoded (never parsed locally).
    const scanned = await start(DESK_B, 'inpatient', his('dotName'));
    const undecoded = (
      await api
        .post(`/api/v1/identity/sessions/${scanned.id}/qr`, { text: await qrFor(SEED.dotName.certno) })
        .expect(200)
    ).body as Session;
    expect(undecoded).toMatchObject({ verdict: 'INCOMPLETE', offline: true });
    expect(failed(undecoded)).toContain('QR_DECODE_OFFLINE');

    await request(insurer).delete('/sandbox/faults').expect(200);
    const back = await until(s.id, (x) => !x.offline && x.verdict === 'MATCH', 'the automatic re-check after recovery');
    expect(back).toMatchObject({ coverage: 'confirmed', token: expect.stringMatching(/^gvt1\./) });
    // The QR code kept (encrypted) with the session is decoded again on recovery.
    const decoded = await until(
      scanned.id,
      (x) => !x.offline && x.verdict === 'MATCH',
      'the QR code decoded after recovery',
    );
    expect(failed(decoded)).toEqual([]);
    await remove('b-card');
  });

  it('validates requests and needs the identity scope', async () => {
    const bad = await api
      .post('/api/v1/identity/sessions', { desk: '', visitId: 'x', visitKind: 'emergency' })
      .expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    const forms = (
      await app.get(ApiKeyService).create({ name: 'forms', scopes: ['forms'] }, { type: 'system', id: 'e2e' })
    ).token;
    await request(base)
      .post('/api/v1/identity/sessions')
      .set('authorization', `Bearer ${forms}`)
      .send({ desk: DESK_A, visitId: 'V', visitKind: 'outpatient' })
      .expect(403);
    expect(
      (await api.get('/api/v1/identity/sessions/00000000-0000-7000-8000-000000000000').expect(404)).body,
    ).toMatchObject({ code: 'IDENTITY_SESSION_NOT_FOUND' });
    const docs = await request(base).get('/api/docs-json').expect(200);
    await SwaggerParser.validate(structuredClone(docs.body as object) as never);
    const paths = Object.keys((docs.body as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/identity/sessions',
        '/api/v1/identity/sessions/{id}',
        '/api/v1/identity/sessions/{id}/qr',
        '/api/v1/identity/sessions/{id}/staff-confirmation',
        '/api/v1/identity/doctor-view',
      ]),
    );
  });

  it('a staff confirmation counts as person evidence', async () => {
    const s = await start(DESK_A, 'outpatient');
    const withQr = (
      await api.post(`/api/v1/identity/sessions/${s.id}/qr`, { text: await qrFor(SEED.oldInjury.certno) }).expect(200)
    ).body as Session;
    expect(withQr.missing.map((m) => m.code)).toEqual(['NEED_PERSON']);
    const confirmed = (
      await api
        .post(`/api/v1/identity/sessions/${s.id}/staff-confirmation`, { staffId: 'S001', staffName: '王芳' })
        .expect(200)
    ).body as Session;
    expect(confirmed.verdict).toBe('MATCH');
    expect(confirmed.checks.find((c) => c.code === 'STAFF_CONFIRMATION_INVALID')).toMatchObject({
      passed: true,
      evidence: ['staff'],
    });
    expect(await session(s.id)).toMatchObject({ verdict: 'MATCH', token: confirmed.token });
  });

  it('records the signed-in staff member as the one who confirmed, never a name the page sends; an API key must name them', async () => {
    const { password } = await app
      .get(StaffService)
      .create(
        { login: 'wangfang', displayName: '王芳', roles: ['desk'], desks: [DESK_A] },
        { type: 'system', id: 'e2e' },
      );
    const signedIn = await request(base)
      .post('/api/v1/staff/session')
      .send({ login: 'wangfang', password })
      .expect(200);
    const cookie = (signedIn.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    const csrf = signedIn.body.csrfToken as string;
    const asStaff = (path: string, body: object) =>
      request(base).post(path).set('cookie', cookie).set('x-csrf-token', csrf).send(body);

    const s = await start(DESK_A, 'outpatient');
    await api.post(`/api/v1/identity/sessions/${s.id}/qr`, { text: await qrFor(SEED.oldInjury.certno) }).expect(200);
    const path = `/api/v1/identity/sessions/${s.id}/staff-confirmation`;
    // An API key (HIS) must say who looked at the patient.
    const missing = await api.post(path, {}).expect(400);
    expect(missing.body.code).toBe('STAFF_CONFIRMATION_WHO_MISSING');
    // From the console: someone else's name is refused, and nothing is recorded.
    const other = await asStaff(path, { staffId: 'S001', staffName: '李四' }).expect(403);
    expect(other.body).toMatchObject({ code: 'STAFF_CONFIRMATION_NOT_SELF', message: expect.stringContaining('本人') });
    expect((await session(s.id)).verdict).toBe('INCOMPLETE');
    // Without a body (as the console sends it), or with their own login, it is the signed-in staff member.
    const confirmed = (await asStaff(path, {}).expect(200)).body as Session;
    expect(confirmed.verdict).toBe('MATCH');
    const staffId = (signedIn.body as { staff: { id: string } }).staff.id;
    const audit = await app
      .get(AuditService)
      .find({ action: 'identity.staff-confirmation', actorId: staffId, limit: 5 });
    expect(audit.map((e) => [e.actorType, e.outcome])).toEqual([['staff', 'success']]);
  });

  it('a card read at a desk before HIS asks starts a session that HIS then adopts for its visit', async () => {
    // The desk's latest session is final (MATCH above): a new person's card opens a session of its own.
    await present('a-idcard', 'retiredDisease');
    const waiting = async (): Promise<Array<{ id: string }>> =>
      app
        .get(DataSource)
        .query<Array<{ id: string }>>('SELECT id FROM identity_session WHERE desk = ? AND visit_id IS NULL', [DESK_A]);
    await eventually(async () => (await waiting()).length === 1, 'the session the ID-card read opened', 20_000, 50);
    const [{ id }] = await waiting();
    const adopted = (
      await api
        .post('/api/v1/identity/sessions', { desk: DESK_A, visitId: 'V-adopt', visitKind: 'inpatient' })
        .expect(201)
    ).body as Session & { sources: string[]; visitId: string };
    expect(adopted).toMatchObject({ id, visitId: 'V-adopt' });
    expect(adopted.sources).toContain('idCard');
    // The ID card is person evidence; the retired worker's QR code completes it.
    const r = (
      await api
        .post(`/api/v1/identity/sessions/${id}/qr`, { text: await qrFor(SEED.retiredDisease.certno) })
        .expect(200)
    ).body as Session;
    expect(r.verdict).toBe('MATCH');
    const view = await api
      .get('/api/v1/identity/doctor-view')
      .set('x-verification-token', r.token as string)
      .expect(200);
    expect(view.body).toMatchObject({
      category: 'occupational-disease',
      occupationalDisease: SEED.retiredDisease.injury.occupational_disease,
    });
  });

  it('never logs a name or an ID number of anybody verified above', () => {
    const text = logLines.join('');
    expect(text).toContain('/api/v1/identity/sessions');
    for (const role of [
      'activeFingers',
      'dotName',
      'expiredCard',
      'lostCard',
      'uninsured',
      'threeSigned',
      'crossNoFiling',
      'pending',
      'oldInjury',
      'retiredDisease',
    ] as const) {
      expect({ role, certno: text.includes(SEED[role].certno) }).toEqual({ role, certno: false });
      expect({ role, name: text.includes(SEED[role].psn_name) }).toEqual({ role, name: false });
    }
  });
});

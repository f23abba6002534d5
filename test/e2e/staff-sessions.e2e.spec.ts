import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { cli } from '../support/cli-run';
import { availableDatabases, type DbKind, testDatabase } from '../support/databases';
import { DeviceEventsSocket } from '../../src/devices/device-events.socket';
import { StaffSessionRepository } from '../../src/platform/staff/staff-session.repository';
import { listenLocally, startTestApp, type TestApp } from '../support/e2e-app';
import { PinnedClock } from '../support/pinned-clock';
import { TEST_HOSPITAL } from '../support/test-config';
import { connectEvents, refusedUpgrade } from '../support/ws-client';

jest.setTimeout(60_000);

const DESK = '门诊挂号1';

/**
 * The console's staff accounts end to end (docs/console.md): accounts made by the CLI and by IT over
 * HTTP, sign-in with its cookie, roles as scopes, the CSRF rule, lockout, disable, logout, idle expiry
 * on a pinned clock, the desk WebSocket, and the audit log — on each database.
 */
describe.each(availableDatabases())('staff accounts and sessions on %s', (kind: DbKind) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-staff-'));
  const cliConfig = join(dir, 'gateway.yaml');
  const clock = new PinnedClock(new Date());
  let t: TestApp;
  let base: string;
  let cleanup: () => Promise<void>;
  const passwords: Record<string, string> = {};
  /** Sessions kept from test to test: every sign-in spends a scrypt (a fifth of a second on CI). */
  type Session = Awaited<ReturnType<typeof signIn>>;
  let itAdmin: Session;
  let pharmacist: Session;
  let deskClerk: Session;
  let auditor: Session;

  /** `gateway staff …` on the app's database, as IT runs it on the server. */
  const staffCli = (args: string[], stdin = '') => cli(['staff', ...args, '--config', cliConfig], {}, stdin);
  const printedPassword = (out: string): string => /^\s{2}(\S{19})$/m.exec(out)?.[1] as string;

  /** Signs in; the cookie to send and the CSRF token. */
  const signIn = async (login: string, password = passwords[login]) => {
    const res = await request(base).post('/api/v1/staff/session').send({ login, password }).expect(200);
    const setCookie = (res.headers['set-cookie'] as unknown as string[])[0];
    return { cookie: setCookie.split(';')[0], csrf: res.body.csrfToken as string, res, setCookie };
  };

  beforeAll(async () => {
    expect((await cli(['pii', 'init', join(dir, 'keys.json')])).code).toBe(0);
    const db = await testDatabase(kind, dir);
    cleanup = db.cleanup;
    writeFileSync(
      cliConfig,
      [
        'mode: production',
        `dataDir: ${dir}/data`,
        'database:',
        `  url: "${db.database.url}"`,
        `  schema: "${db.database.schema}"`,
        'hospital:',
        `  fixmedinsCode: ${TEST_HOSPITAL.fixmedinsCode}`,
        `  name: ${TEST_HOSPITAL.name}`,
        `  admdvs: "${TEST_HOSPITAL.admdvs}"`,
        `  creditCode: "${TEST_HOSPITAL.creditCode}"`,
        'pii:',
        `  keyringFile: ${dir}/keys.json`,
        '',
      ].join('\n'),
    );
    t = await startTestApp(
      { dataDir: dir, database: db.database, pii: { keyringFile: join(dir, 'keys.json'), keyring: undefined } },
      undefined,
      { clock },
    );
    ({ base } = await listenLocally(t));

    const it = await staffCli(['create', '--login', 'It.Wang', '--name', '信息科王工', '--roles', 'it-admin']);
    expect(it).toMatchObject({ code: 0, out: expect.stringContaining('Created staff account it.wang "信息科王工"') });
    passwords['it.wang'] = printedPassword(it.out);
    expect(passwords['it.wang']).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    const piped = await staffCli(
      [
        'create',
        '--login',
        'yaoshi',
        '--name',
        '药师李',
        '--roles',
        'pharmacy',
        '--desks',
        '西药房1',
        '--password-stdin',
      ],
      'pharmacy-pass-2026\n',
    );
    expect(piped).toMatchObject({ code: 0, out: expect.stringContaining('the one piped in') });
    expect(piped.out).not.toContain('pharmacy-pass-2026');
    passwords.yaoshi = 'pharmacy-pass-2026';
    itAdmin = await signIn('it.wang');
  });

  afterAll(async () => {
    await t?.close();
    await cleanup?.();
  });

  it('refuses bad CLI input with the reason, and lists the accounts', async () => {
    expect(await staffCli(['create', '--login', 'x', '--name', 'X', '--roles', 'desk'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('login: 登录名应为 2 到 32 个'),
    });
    expect(await staffCli(['create', '--login', 'yaoshi', '--name', 'X', '--roles', 'desk'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('登录名 yaoshi 已被使用'),
    });
    expect(
      await staffCli(['create', '--login', 'weak', '--name', 'X', '--roles', 'root', '--password-stdin'], 'short\n'),
    ).toMatchObject({ code: 2, err: expect.stringContaining('roles: 未知的角色 root') });
    expect(
      await staffCli(['create', '--login', 'weak', '--name', 'X', '--roles', 'desk', '--password-stdin'], 'short\n'),
    ).toMatchObject({ code: 2, err: expect.stringContaining('至少需要 10 个字符') });
    const list = await staffCli(['list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/it\.wang\s+信息科王工\s+it-admin/);
    expect(list.out).toMatch(/yaoshi\s+药师李\s+pharmacy\s+西药房1/);
  });

  it('signs in with an HttpOnly, SameSite=Strict cookie; the session answers the same body; a wrong password says nothing more', async () => {
    const { res, setCookie, cookie } = await signIn('IT.WANG', passwords['it.wang']);
    expect(setCookie).toMatch(/^gw_staff=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/);
    expect(res.body).toEqual({
      staff: { id: expect.any(String), login: 'it.wang', displayName: '信息科王工', roles: ['it-admin'], desks: [] },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: new Date(clock.now().getTime() + 30 * 60_000).toISOString(),
      passwordChangeRequired: false,
      passwordExpiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      passwordExpiresSoon: false,
    });
    // Set by `gateway staff create` (on the real clock) and expiring staff.passwordMaxAgeDays (90) later.
    const ageDays = (Date.parse(res.body.passwordExpiresAt as string) - clock.now().getTime()) / 86_400_000;
    expect(ageDays).toBeGreaterThan(89.9);
    expect(ageDays).toBeLessThan(90.1);
    expect(cookie).not.toBe(itAdmin.cookie);
    await request(base).get('/api/v1/staff/session').set('cookie', cookie).expect(200, res.body);
    const missing = await request(base).get('/api/v1/staff/session').expect(401);
    expect(missing.body.code).toBe('STAFF_SESSION_MISSING');

    const wrong = await request(base)
      .post('/api/v1/staff/session')
      .send({ login: 'it.wang', password: 'not-it-at-all' });
    const unknown = await request(base)
      .post('/api/v1/staff/session')
      .send({ login: 'nobody', password: 'not-it-at-all' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.code).toBe('STAFF_LOGIN_FAILED');
    expect(unknown.body.message).toBe(wrong.body.message);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    await request(base).post('/api/v1/staff/session').send({ login: 'it.wang' }).expect(400);
  });

  it('gives a role its scopes only: pharmacy reaches trace codes, not the admin API', async () => {
    pharmacist = await signIn('yaoshi');
    const { cookie } = pharmacist;
    await request(base).get('/api/v1/trace-codes/product-mappings').set('cookie', cookie).expect(200, []);
    const admin = await request(base).get('/api/v1/admin/api-keys').set('cookie', cookie).expect(403);
    expect(admin.body).toMatchObject({ code: 'AUTH_SCOPE_MISSING', message: expect.stringContaining('需要 admin') });
    await request(base).get('/api/v1/staff').set('cookie', cookie).expect(403);
    // An API key wins when both are sent, and behaves as before.
    const key = await t.token(['admin']);
    await request(base)
      .get('/api/v1/admin/api-keys')
      .set('cookie', cookie)
      .set('authorization', `Bearer ${key}`)
      .expect(200);
    await request(base).get('/api/v1/admin/api-keys').set('authorization', 'Bearer nonsense').expect(401);
  });

  it('asks cookie requests that change something for the CSRF token; API keys need none', async () => {
    const { cookie, csrf } = itAdmin;
    const body = { login: 'desk.zhao', displayName: '挂号员赵', roles: ['desk'], desks: [DESK] };
    const refused = await request(base).post('/api/v1/staff').set('cookie', cookie).send(body).expect(403);
    expect(refused.body.code).toBe('CSRF_TOKEN_INVALID');
    await request(base)
      .post('/api/v1/staff')
      .set('cookie', cookie)
      .set('x-csrf-token', pharmacist.csrf)
      .send(body)
      .expect(403);
    const created = await request(base)
      .post('/api/v1/staff')
      .set('cookie', cookie)
      .set('x-csrf-token', csrf)
      .send(body)
      .expect(201);
    expect(created.body.staff).toMatchObject({ login: 'desk.zhao', roles: ['desk'], desks: [DESK], state: 'active' });
    passwords['desk.zhao'] = created.body.password as string;

    const key = await t.token(['admin']);
    const byKey = await request(base)
      .post('/api/v1/staff')
      .set('authorization', `Bearer ${key}`)
      .send({ login: 'shenji', displayName: '审计员孙', roles: ['auditor'] })
      .expect(201);
    passwords.shenji = byKey.body.password as string;
    const listed = await request(base).get('/api/v1/staff').set('cookie', cookie).expect(200);
    expect((listed.body as Array<{ login: string }>).map((s) => s.login)).toEqual(
      expect.arrayContaining(['it.wang', 'yaoshi', 'desk.zhao', 'shenji']),
    );
    expect(JSON.stringify(listed.body)).not.toMatch(/scrypt|password/i);
  });

  it('locks after five wrong passwords (423, even for the right one) until IT resets it; the reset password must be changed first', async () => {
    const attempt = (password: string) =>
      request(base).post('/api/v1/staff/session').send({ login: 'desk.zhao', password });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await attempt(`wrong-password-${i}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    const locked = await attempt(passwords['desk.zhao']).expect(423);
    expect(locked.body).toMatchObject({ code: 'STAFF_LOCKED', message: expect.stringContaining('北京时间') });

    const reset = await staffCli(['reset', 'desk.zhao']);
    expect(reset).toMatchObject({ code: 0, out: expect.stringContaining('unlocked') });
    expect(reset.out).toContain('must choose their own password when they next sign in');
    const fresh = printedPassword(reset.out);
    await attempt(passwords['desk.zhao']).expect(401);
    // IT knows the reset password: the login works, but nothing else until its owner chooses their own.
    const mustChange = await signIn('desk.zhao', fresh);
    expect(mustChange.res.body.passwordChangeRequired).toBe(true);
    const blocked = await request(base).get('/api/v1/forms?visitId=MZ-1').set('cookie', mustChange.cookie).expect(403);
    expect(blocked.body).toMatchObject({ code: 'STAFF_PASSWORD_EXPIRED', message: '密码已过期，请先修改密码' });
    const events = `${base.replace('http', 'ws')}/api/v1/devices/events?desk=${encodeURIComponent(DESK)}`;
    expect(await refusedUpgrade(events, { headers: { cookie: mustChange.cookie, origin: base } })).toMatchObject({
      status: 403,
      body: { code: 'STAFF_PASSWORD_EXPIRED' },
    });
    const change = (currentPassword: string, newPassword: string) =>
      request(base)
        .post('/api/v1/staff/session/password')
        .set('cookie', mustChange.cookie)
        .set('x-csrf-token', mustChange.csrf)
        .send({ currentPassword, newPassword });
    expect((await change(fresh, fresh).expect(400)).body.code).toBe('STAFF_PASSWORD_REUSED');
    expect((await change(fresh, 'aaaabbbbaaaabbbb').expect(400)).body).toMatchObject({
      code: 'STAFF_PASSWORD_WEAK',
      details: [{ field: 'newPassword', message: expect.stringContaining('过于简单') }],
    });
    expect((await change(fresh, 'short').expect(400)).body.details[0].message).toContain('至少需要 10 个字符');
    const changed = await change(fresh, 'zhao-desk-2026!').expect(200);
    expect(changed.body).toMatchObject({ passwordChangeRequired: false, csrfToken: mustChange.csrf });
    await request(base).get('/api/v1/forms?visitId=MZ-1').set('cookie', mustChange.cookie).expect(200, []);
    passwords['desk.zhao'] = 'zhao-desk-2026!';
    deskClerk = mustChange;
  });

  it('follows the desk WebSocket with the cookie from the gateway’s own page, for the staff member’s desks only', async () => {
    const { cookie } = deskClerk;
    const ws = base.replace('http', 'ws');
    const url = (desk: string) => `${ws}/api/v1/devices/events?desk=${encodeURIComponent(desk)}`;
    const headers = { cookie, origin: base };
    const client = await connectEvents(url(DESK), { headers });
    expect(await client.waitFor((m) => m.type === 'hello', 'hello')).toMatchObject({ type: 'hello', desk: DESK });
    await client.close();
    expect(await refusedUpgrade(url('西药房1'), { headers })).toMatchObject({
      status: 403,
      body: { code: 'STAFF_DESK_NOT_ALLOWED' },
    });
    expect(await refusedUpgrade(`${ws}/api/v1/devices/events`, { headers })).toMatchObject({ status: 403 });
    expect(await refusedUpgrade(url(DESK), { headers: { cookie, origin: 'http://evil.example' } })).toMatchObject({
      status: 403,
      body: { code: 'STAFF_ORIGIN_REFUSED' },
    });
    expect(await refusedUpgrade(url(DESK), { headers: { cookie } })).toMatchObject({ status: 403 });
    // IT may watch any desk; an auditor none.
    const itClient = await connectEvents(url('西药房1'), { headers: { cookie: itAdmin.cookie, origin: base } });
    await itClient.close();
    auditor = await signIn('shenji');
    expect(await refusedUpgrade(url(DESK), { headers: { cookie: auditor.cookie, origin: base } })).toMatchObject({
      status: 403,
      body: { code: 'STAFF_DESK_NOT_ALLOWED' },
    });
  });

  it('ends a session at logout (with the CSRF token) and every session of a disabled account; their open desk pages are closed', async () => {
    const ws = base.replace('http', 'ws');
    const watch = (who: { cookie: string }, desk: string) =>
      connectEvents(`${ws}/api/v1/devices/events?desk=${encodeURIComponent(desk)}`, {
        headers: { cookie: who.cookie, origin: base },
      });
    const pharmacyPage = await watch(pharmacist, '西药房1');
    const deskPage = await watch(deskClerk, DESK);
    const socket = t.app.get(DeviceEventsSocket);
    await expect(socket.checkStaffSessions()).resolves.toBe(0);
    await request(base).delete('/api/v1/staff/session').set('cookie', pharmacist.cookie).expect(403);
    const out = await request(base)
      .delete('/api/v1/staff/session')
      .set('cookie', pharmacist.cookie)
      .set('x-csrf-token', pharmacist.csrf)
      .expect(204);
    expect((out.headers['set-cookie'] as unknown as string[])[0]).toMatch(
      /^gw_staff=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0/,
    );
    await request(base).get('/api/v1/staff/session').set('cookie', pharmacist.cookie).expect(401);
    // The page that stayed open is told (4401) at the next check, and only that one.
    await expect(socket.checkStaffSessions()).resolves.toBe(1);
    await expect(pharmacyPage.closed).resolves.toEqual({ code: 4401, reason: 'STAFF_SESSION_MISSING' });
    expect(socket.connections).toBe(1);
    await deskPage.close();

    const again = await signIn('yaoshi');
    const againPage = await watch(again, '西药房1');
    await request(base)
      .post(`/api/v1/staff/${again.res.body.staff.id as string}/disable`)
      .set('cookie', itAdmin.cookie)
      .set('x-csrf-token', itAdmin.csrf)
      .send({ reason: '调岗' })
      .expect(200)
      .expect((r) => expect(r.body).toMatchObject({ state: 'disabled', disabledReason: '调岗' }));
    await request(base).get('/api/v1/staff/session').set('cookie', again.cookie).expect(401);
    await expect(socket.checkStaffSessions()).resolves.toBe(1);
    await expect(againPage.closed).resolves.toMatchObject({ code: 4401 });
    const refused = await request(base)
      .post('/api/v1/staff/session')
      .send({ login: 'yaoshi', password: passwords.yaoshi })
      .expect(401);
    expect(refused.body.code).toBe('STAFF_LOGIN_FAILED');
  });

  it('audits every login, failure, lockout, logout and change under the staff member; an auditor reads it, never a password', async () => {
    await request(base).get('/api/v1/admin/api-keys').set('cookie', auditor.cookie).expect(403);
    const read = async (action: string) =>
      (
        await request(base)
          .get(`/api/v1/admin/audit?action=${action}&limit=500`)
          .set('cookie', auditor.cookie)
          .expect(200)
      ).body as Array<{ actorType: string; actorId: string; outcome: string; details: Record<string, unknown> }>;
    const logins = await read('staff.login');
    expect(logins.every((e) => e.actorType === 'staff')).toBe(true);
    expect(logins.map((e) => `${e.outcome}:${typeof e.details.reason === 'string' ? e.details.reason : ''}`)).toEqual(
      expect.arrayContaining([
        'success:',
        'failure:wrong-password',
        'failure:unknown-login',
        'failure:disabled',
        'denied:locked',
      ]),
    );
    expect(logins.find((e) => e.details.reason === 'unknown-login')?.actorId).toBe('login:nobody');
    const [lockout] = await read('staff.lockout');
    expect(lockout).toMatchObject({ actorType: 'staff', details: { login: 'desk.zhao', failures: 5 } });
    expect((await read('staff.logout'))[0]).toMatchObject({ actorType: 'staff', details: { login: 'yaoshi' } });
    const itId = itAdmin.res.body.staff.id as string;
    expect(await read('staff.create')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorType: 'cli', details: expect.objectContaining({ login: 'yaoshi' }) }),
        expect.objectContaining({
          actorType: 'staff',
          actorId: itId,
          details: expect.objectContaining({ login: 'desk.zhao' }),
        }),
        expect.objectContaining({ actorType: 'api-key', details: expect.objectContaining({ login: 'shenji' }) }),
      ]),
    );
    expect((await read('staff.disable'))[0]).toMatchObject({ actorType: 'staff', actorId: itId });
    expect((await read('staff.reset'))[0]).toMatchObject({
      actorType: 'cli',
      details: { login: 'desk.zhao', wasLocked: true },
    });
    const everything = JSON.stringify([...logins, ...(await read('staff.create')), ...(await read('staff.reset'))]);
    for (const secret of [...Object.values(passwords), 'wrong-password-0', 'not-it-at-all']) {
      expect(everything).not.toContain(secret);
    }
    expect(t.logs.text).not.toContain(passwords['it.wang']);
  });

  it('ends a session left idle for 30 minutes (activity keeps it alive)', async () => {
    const { cookie } = deskClerk;
    clock.advance(29 * 60_000);
    await request(base).get('/api/v1/forms?visitId=MZ-IDLE-1').set('cookie', cookie).expect(200, []);
    clock.advance(29 * 60_000);
    await request(base).get('/api/v1/staff/session').set('cookie', cookie).expect(200);
    clock.advance(31 * 60_000);
    const idle = await request(base).get('/api/v1/staff/session').set('cookie', cookie).expect(401);
    expect(idle.body.code).toBe('STAFF_SESSION_MISSING');
  });

  it('ends every session at its absolute end (12 hours after the login), however busy', async () => {
    const { cookie, res } = await signIn('it.wang');
    const end = Date.parse(res.body.expiresAt as string) - 30 * 60_000 + 12 * 3600_000;
    let uses = 0;
    while (clock.now().getTime() + 29 * 60_000 < end) {
      clock.advance(29 * 60_000);
      await request(base).get('/api/v1/staff/session').set('cookie', cookie).expect(200);
      uses++;
    }
    expect(uses).toBe(24);
    clock.advance(end - clock.now().getTime());
    const over = await request(base).get('/api/v1/staff/session').set('cookie', cookie).expect(401);
    expect(over.body.code).toBe('STAFF_SESSION_MISSING');
  });

  it('a working session’s requests write nothing; its last use is written at most once a minute', async () => {
    const { cookie } = await signIn('it.wang');
    const touches = jest.spyOn(t.app.get(StaffSessionRepository), 'touch');
    try {
      await request(base).get('/api/v1/staff/session').set('cookie', cookie).expect(200);
      await request(base).get('/api/v1/staff/session').set('cookie', cookie).expect(200);
      expect(touches).not.toHaveBeenCalled();
      clock.advance(61_000);
      await request(base).get('/api/v1/staff/session').set('cookie', cookie).expect(200);
      await request(base).get('/api/v1/staff/session').set('cookie', cookie).expect(200);
      expect(touches).toHaveBeenCalledTimes(1);
    } finally {
      touches.mockRestore();
    }
  });

  it('changes one’s own password: the old one no longer works, the other sessions end, audited without the password', async () => {
    const here = await signIn('it.wang');
    const elsewhere = await signIn('it.wang');
    const url = '/api/v1/staff/session/password';
    const body = { currentPassword: passwords['it.wang'], newPassword: 'wang-it-new-2026' };
    const noCsrf = await request(base).post(url).set('cookie', here.cookie).send(body).expect(403);
    expect(noCsrf.body.code).toBe('CSRF_TOKEN_INVALID');
    await request(base).post(url).send(body).expect(401);
    await request(base).post(url).set('cookie', here.cookie).set('x-csrf-token', here.csrf).send(body).expect(200);
    await request(base).get('/api/v1/staff').set('cookie', here.cookie).expect(200);
    await request(base).get('/api/v1/staff/session').set('cookie', elsewhere.cookie).expect(401);
    await request(base)
      .post('/api/v1/staff/session')
      .send({ login: 'it.wang', password: passwords['it.wang'] })
      .expect(401);
    const old = passwords['it.wang'];
    passwords['it.wang'] = 'wang-it-new-2026';
    itAdmin = await signIn('it.wang');

    auditor = await signIn('shenji');
    const audit = await request(base)
      .get('/api/v1/admin/audit?action=staff.password-change&limit=50')
      .set('cookie', auditor.cookie)
      .expect(200);
    const entries = audit.body as Array<{ actorId: string; outcome: string; details: Record<string, unknown> }>;
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actorId: here.res.body.staff.id,
          outcome: 'success',
          details: expect.objectContaining({ login: 'it.wang', sessionsEnded: expect.any(Number) }),
        }),
        expect.objectContaining({ outcome: 'failure', details: expect.objectContaining({ reason: 'reused' }) }),
      ]),
    );
    for (const secret of [old, 'wang-it-new-2026', 'zhao-desk-2026!']) {
      expect(JSON.stringify(entries)).not.toContain(secret);
    }
  });

  it('counts a wrong current password toward the lockout, as a wrong login', async () => {
    const key = await t.token(['admin']);
    const made = await request(base)
      .post('/api/v1/staff')
      .set('authorization', `Bearer ${key}`)
      .send({ login: 'lock.change', displayName: '锁定测试', roles: ['desk'] })
      .expect(201);
    const session = await signIn('lock.change', made.body.password as string);
    const wrong = () =>
      request(base)
        .post('/api/v1/staff/session/password')
        .set('cookie', session.cookie)
        .set('x-csrf-token', session.csrf)
        .send({ currentPassword: 'not-the-password', newPassword: 'another-pass-2026' });
    const first = await wrong().expect(400);
    expect(first.body).toMatchObject({
      code: 'STAFF_PASSWORD_CURRENT_WRONG',
      message: expect.stringContaining('当前密码'),
    });
    for (let i = 0; i < 3; i++) {
      await wrong().expect(400);
    }
    expect((await wrong().expect(423)).body.code).toBe('STAFF_LOCKED');
    await request(base)
      .post('/api/v1/staff/session')
      .send({ login: 'lock.change', password: made.body.password as string })
      .expect(423);
  });

  it('warns 14 days ahead; a password older than 90 days signs in only to be changed (403 STAFF_PASSWORD_EXPIRED elsewhere)', async () => {
    clock.advance(80 * 86_400_000);
    const soon = await signIn('it.wang');
    expect(soon.res.body).toMatchObject({ passwordChangeRequired: false, passwordExpiresSoon: true });
    await request(base).get('/api/v1/staff').set('cookie', soon.cookie).expect(200);

    clock.advance(10 * 86_400_000 + 60_000);
    const expired = await signIn('it.wang');
    expect(expired.res.body).toMatchObject({ passwordChangeRequired: true, passwordExpiresSoon: true });
    const refused = await request(base).get('/api/v1/staff').set('cookie', expired.cookie).expect(403);
    expect(refused.body).toMatchObject({ code: 'STAFF_PASSWORD_EXPIRED', message: '密码已过期，请先修改密码' });
    await request(base).get('/api/v1/staff/session').set('cookie', expired.cookie).expect(200);
    const changed = await request(base)
      .post('/api/v1/staff/session/password')
      .set('cookie', expired.cookie)
      .set('x-csrf-token', expired.csrf)
      .send({ currentPassword: passwords['it.wang'], newPassword: 'wang-it-later-2026' })
      .expect(200);
    expect(changed.body).toMatchObject({
      passwordChangeRequired: false,
      passwordExpiresSoon: false,
      passwordExpiresAt: new Date(clock.now().getTime() + 90 * 86_400_000).toISOString(),
    });
    await request(base).get('/api/v1/staff').set('cookie', expired.cookie).expect(200);
    passwords['it.wang'] = 'wang-it-later-2026';
  });
});

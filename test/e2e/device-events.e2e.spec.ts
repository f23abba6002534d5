import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { SEED } from '../../src/sandbox/seed-people';
import { startTestApp, TestApp } from '../support/e2e-app';
import { eventually } from '../support/eventually';
import { connectEvents, EventClient, refusedUpgrade } from '../support/ws-client';

// Devices, processes and the insurer's HSM step on a loaded 2-core CI machine: waits are bounded by `eventually`.
jest.setTimeout(60_000);

/**
 * Simulated devices in sandbox mode, end to end: the sandbox controls present a card or a scan,
 * the simulator answers the real driver with real bytes, the read becomes an event, and the
 * WebSocket hands it to the desk it belongs to (and to nobody else).
 */
describe('device events over WebSocket, with simulated devices', () => {
  const DESK_A = '门诊挂号1';
  const DESK_B = '西药房1';
  let t: TestApp;
  let base: string;
  let wsBase: string;
  const clients: EventClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      // Everything logged, so that the last test can show no card data reaches the log.
      logging: { level: 'trace', requestBodies: true },
      sandboxInsurer: { enabled: true, port: 0 },
      devices: [
        { id: 'a-idcard', kind: 'id-card', transport: 'simulated', desk: DESK_A },
        { id: 'a-card', kind: 'ssse-card', transport: 'simulated', desk: DESK_A },
        { id: 'a-card-noauth', kind: 'ssse-card', transport: 'simulated', desk: DESK_A, cardAuth: 'none' },
        { id: 'a-card-psam', kind: 'ssse-card', transport: 'simulated', desk: DESK_A, cardAuth: 'simulated-psam' },
        { id: 'a-scanner', kind: 'scanner', transport: 'simulated', desk: DESK_A },
        { id: 'b-scanner', kind: 'scanner', transport: 'simulated', desk: DESK_B },
      ],
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    wsBase = `ws://127.0.0.1:${port}/api/v1/devices/events`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await t.close();
  });

  const deskUrl = (desk: string): string => `${wsBase}?desk=${encodeURIComponent(desk)}`;
  const connect = async (url: string, token: string, viaProtocol = false): Promise<EventClient> => {
    const client = await connectEvents(
      url,
      viaProtocol ? { protocols: ['gateway-key', token] } : { headers: { authorization: `Bearer ${token}` } },
    );
    clients.push(client);
    return client;
  };
  const present = (id: string, body: Record<string, unknown> = {}) =>
    request(base).post(`/api/v1/sandbox/devices/${id}/present`).send(body);
  const remove = (id: string) => request(base).post(`/api/v1/sandbox/devices/${id}/remove`).send({});

  it('refuses connections without a key, with the wrong scope, or with a bad desk, as plain HTTP errors', async () => {
    const missing = await refusedUpgrade(deskUrl(DESK_A));
    expect(missing).toMatchObject({
      status: 401,
      body: { code: 'AUTH_MISSING', message: expect.stringMatching(/[\u4e00-\u9fff]/) },
    });
    const forms = await t.token(['forms']);
    expect(await refusedUpgrade(deskUrl(DESK_A), { headers: { authorization: `Bearer ${forms}` } })).toMatchObject({
      status: 403,
      body: { code: 'AUTH_SCOPE_MISSING' },
    });
    const identity = await t.token(['identity']);
    // Every desk at once is for IT staff only.
    expect(await refusedUpgrade(wsBase, { headers: { authorization: `Bearer ${identity}` } })).toMatchObject({
      status: 403,
      body: { code: 'AUTH_SCOPE_MISSING' },
    });
    expect(await refusedUpgrade(`${wsBase}?desk=`, { headers: { authorization: `Bearer ${identity}` } })).toMatchObject(
      { status: 400, body: { code: 'VALIDATION_FAILED' } },
    );
    expect(
      await refusedUpgrade(wsBase.replace('/events', '/other'), { headers: { authorization: `Bearer ${identity}` } }),
    ).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  });

  it('greets a desk with its devices, then delivers an ID-card read, a 3rd-generation card read through the sandbox HSM, and a scan', async () => {
    const client = await connect(deskUrl(DESK_A), await t.token(['identity']), true);
    const hello = await client.waitFor((m) => m.type === 'hello', 'hello');
    expect((hello.devices as Array<{ id: string }>).map((d) => d.id).sort()).toEqual([
      'a-card',
      'a-card-noauth',
      'a-card-psam',
      'a-idcard',
      'a-scanner',
    ]);

    await present('a-idcard', { person: 'dotName' }).expect(200, {
      deviceId: 'a-idcard',
      kind: 'id-card',
      presented: SEED.dotName.psn_name,
    });
    const idCard = await client.waitFor((m) => m.type === 'id-card', 'the ID-card event');
    expect(idCard).toMatchObject({
      deviceId: 'a-idcard',
      desk: DESK_A,
      identity: {
        name: '买买提·艾力',
        idNumber: SEED.dotName.certno,
        nationCode: '05',
        nation: '维吾尔',
        sexCode: '1',
        birthDate: SEED.dotName.brdy,
      },
    });
    expect(Buffer.from(idCard.photoWlt as string, 'base64')).toHaveLength(1024);

    // activeFingers holds a 3.00 card: its number and name need the insurer's HSM (1165).
    expect(SEED.activeFingers.card.card_version).toBe('3.00');
    await present('a-card').expect(200);
    const card = await client.waitFor((m) => m.type === 'ssse-card' && m.deviceId === 'a-card', 'the card event');
    expect(card).toMatchObject({
      result: 'complete',
      card: {
        cardSn: SEED.activeFingers.card.card_sn,
        cardNo: SEED.activeFingers.card.card_no,
        ssn: SEED.activeFingers.certno,
        name: SEED.activeFingers.psn_name,
        specVersion: '3.00',
      },
    });
    await client.waitFor(
      (m) =>
        m.type === 'status' &&
        m.deviceId === 'a-card' &&
        m.state === 'waiting' &&
        m.message === '社保卡已读取，请取出社保卡',
      'take the card',
    );
    await remove('a-card').expect(200, { deviceId: 'a-card', kind: 'ssse-card', presented: null });

    await present('a-scanner', { text: '81234567890123456789' }).expect(200);
    const scan = await client.waitFor((m) => m.type === 'scan', 'the scan');
    expect(scan).toMatchObject({
      deviceId: 'a-scanner',
      source: 'device',
      text: '81234567890123456789',
      classification: { kind: 'trace-code' },
    });
  });

  it('a 3rd-generation card without authentication gives an "authentication required" status and only the public fields', async () => {
    const client = await connect(deskUrl(DESK_A), await t.token(['identity']));
    await client.waitFor((m) => m.type === 'hello', 'hello');
    await present('a-card-noauth', { person: 'activeFingers' }).expect(200);
    const status = await client.waitFor(
      (m) => m.type === 'status' && m.deviceId === 'a-card-noauth' && m.state === 'authentication-required',
      'the status',
    );
    expect(status.message).toMatch(/认证/);
    const event = await client.waitFor((m) => m.type === 'ssse-card' && m.deviceId === 'a-card-noauth', 'the event');
    expect(event).toMatchObject({
      result: 'authentication-required',
      reason: { code: 'NO_AUTHENTICATOR' },
      card: { cardSn: SEED.activeFingers.card.card_sn },
    });
    const fields = event.card as Record<string, unknown>;
    expect(fields).not.toHaveProperty('name');
    expect(fields).not.toHaveProperty('ssn');
    expect(fields).not.toHaveProperty('cardNo');
    const devices = await request(base)
      .get('/api/v1/devices/a-card-noauth')
      .set('authorization', `Bearer ${await t.token(['admin'])}`)
      .expect(200);
    expect(devices.body).toMatchObject({ state: 'authentication-required', transport: 'simulated', path: null });
    await remove('a-card-noauth').expect(200);
    await client.waitFor(
      (m) =>
        m.type === 'status' && m.deviceId === 'a-card-noauth' && m.state === 'waiting' && m.message === '请插入社保卡',
      'back to waiting',
    );

    // With a PSAM in the reader the same card reads completely; a 2nd-generation card needs nothing.
    await present('a-card-psam', { person: 'activeFingers' }).expect(200);
    expect(
      await client.waitFor((m) => m.type === 'ssse-card' && m.deviceId === 'a-card-psam', 'the PSAM read'),
    ).toMatchObject({ result: 'complete', card: { name: SEED.activeFingers.psn_name } });
    const second = Object.entries(SEED).find(([, p]) => p.card.card_version === '2.00');
    expect(second).toBeDefined();
    const [role, person] = second as [string, (typeof SEED)[keyof typeof SEED]];
    await present('a-card-noauth', { person: role }).expect(200);
    expect(
      await client.waitFor(
        (m) => m.type === 'ssse-card' && m.deviceId === 'a-card-noauth' && m.result === 'complete',
        'the 2nd-generation read',
      ),
    ).toMatchObject({
      card: { name: person.psn_name, ssn: person.certno, specVersion: '2.00' },
    });
    await remove('a-card-noauth').expect(200);
  });

  it('keeps desks apart and gives each key only what its scopes allow', async () => {
    const deskA = await connect(deskUrl(DESK_A), await t.token(['trace-codes']));
    const everything = await connect(wsBase, await t.token(['admin', 'identity', 'trace-codes']));
    await deskA.waitFor((m) => m.type === 'hello', 'hello A');
    await everything.waitFor((m) => m.type === 'hello', 'hello all');
    await present('b-scanner', { text: '89876543210987654321' }).expect(200);
    await everything.waitFor((m) => m.type === 'scan' && m.deviceId === 'b-scanner', 'desk B scan for the admin');
    await present('a-idcard', { person: 'activeFingers' }).expect(200);
    await everything.waitFor(
      (m) => m.type === 'id-card' && (m.identity as { idNumber: string }).idNumber === SEED.activeFingers.certno,
      'the ID card for the admin',
    );
    await present('a-scanner', { text: '81111111111111111111' }).expect(200);
    await deskA.waitFor((m) => m.type === 'scan' && m.text === '81111111111111111111', 'desk A scan');
    // Events arrive in order, so by now anything wrongly routed would be there.
    expect(deskA.messages.filter((m) => m.type === 'scan').map((m) => m.deviceId)).toEqual(['a-scanner']);
    expect(deskA.messages.some((m) => m.type === 'id-card')).toBe(false);
    await remove('a-idcard').expect(200);
  });

  it('unplug takes a simulated device away like a pulled cable: disconnected, then back by itself after replug', async () => {
    const client = await connect(deskUrl(DESK_A), await t.token(['identity']));
    await client.waitFor((m) => m.type === 'hello', 'hello');
    const unplug = (id: string) => request(base).post(`/api/v1/sandbox/devices/${id}/unplug`).send({});
    const replug = (id: string) => request(base).post(`/api/v1/sandbox/devices/${id}/replug`).send({});
    const devices = [
      { id: 'a-idcard', kind: 'id-card', gone: /串口 .* 已断开|不存在/ },
      { id: 'a-scanner', kind: 'scanner', gone: /串口 .* 已断开|不存在/ },
      { id: 'a-card-psam', kind: 'ssse-card', gone: /读卡器「.*」已断开|找不到读卡器/ },
    ];
    for (const { id, kind, gone } of devices) {
      await unplug(id).expect(200, { deviceId: id, kind, plugged: false });
      const down = await client.waitFor(
        (m) => m.type === 'status' && m.deviceId === id && m.state === 'disconnected',
        `${id} disconnected`,
      );
      expect(down.message).toMatch(gone);
      // It keeps retrying while the port is missing, and says disconnected (not a fault) all along.
      await new Promise((r) => setTimeout(r, 700));
      const admin = await t.token(['admin']);
      const listed = await request(base)
        .get(`/api/v1/devices/${id}`)
        .set('authorization', `Bearer ${admin}`)
        .expect(200);
      expect(listed.body).toMatchObject({ state: 'disconnected' });
      await unplug(id)
        .expect(409)
        .expect((r) => expect(r.body.code).toBe('SIMULATION_ALREADY_UNPLUGGED'));
      await present(id, kind === 'scanner' ? { text: '81234567890123456789' } : {})
        .expect(409)
        .expect((r) =>
          expect(r.body).toMatchObject({ code: 'SIMULATION_UNPLUGGED', message: expect.stringContaining('replug') }),
        );
      const downAt = client.messages.indexOf(down);
      await replug(id).expect(200, { deviceId: id, kind, plugged: true });
      await eventually(
        () =>
          client.messages.slice(downAt).some((m) => m.type === 'status' && m.deviceId === id && m.state === 'waiting'),
        `${id} waiting again`,
      );
      await replug(id)
        .expect(409)
        .expect((r) => expect(r.body.code).toBe('SIMULATION_ALREADY_PLUGGED'));
    }
    // The driver reads again after the reconnect.
    const readsBefore = client.messages.length;
    await present('a-idcard', { person: 'dotName' }).expect(200);
    await eventually(
      () => client.messages.slice(readsBefore).some((m) => m.type === 'id-card' && m.deviceId === 'a-idcard'),
      'an ID-card read after replug',
    );
    await remove('a-idcard').expect(200);
    await present('a-card-psam', { person: 'activeFingers' }).expect(200);
    await eventually(
      () =>
        client.messages
          .slice(readsBefore)
          .some((m) => m.type === 'ssse-card' && m.deviceId === 'a-card-psam' && m.result === 'complete'),
      'a card read after replug',
    );
    await remove('a-card-psam').expect(200);
  });

  it('the sandbox controls say what is wrong', async () => {
    await present('nope')
      .expect(404)
      .expect((r) => expect(r.body.code).toBe('DEVICE_NOT_FOUND'));
    const unknown = await present('a-card', { person: 'nobody' }).expect(404);
    expect(unknown.body).toMatchObject({
      code: 'SEED_PERSON_NOT_FOUND',
      message: expect.stringContaining('activeFingers'),
    });
    await present('a-scanner', {})
      .expect(400)
      .expect((r) => expect(r.body.code).toBe('SIMULATION_TEXT_MISSING'));
    await remove('a-scanner')
      .expect(400)
      .expect((r) => expect(r.body.code).toBe('SIMULATION_NOTHING_TO_REMOVE'));
    await present('a-scanner', { text: 'x', aim: 'Q1' })
      .expect(400)
      .expect((r) => expect(r.body.code).toBe('VALIDATION_FAILED'));
  });

  it('counts reads and shows each device and the listening clients in /metrics', async () => {
    const client = await connect(deskUrl(DESK_A), await t.token(['identity']));
    await client.waitFor((m) => m.type === 'hello', 'hello');
    const metrics = (await request(base).get('/metrics').expect(200)).text;
    expect(metrics).toContain('gateway_device_up{device="a-card",kind="ssse-card",transport="simulated"} 1');
    expect(metrics).toMatch(/gateway_device_reads_total\{device="a-idcard",type="id-card"\} [1-9]/);
    expect(metrics).toMatch(/gateway_device_reads_total\{device="a-card",type="ssse-card"\} [1-9]/);
    expect(metrics).toMatch(/gateway_device_event_clients [1-9]/);
  });

  it('never writes what the cards hold to the log', () => {
    expect(t.logs.lines.length).toBeGreaterThan(50);
    for (const person of [SEED.activeFingers, SEED.dotName]) {
      expect(t.logs.text).not.toContain(person.certno);
      expect(t.logs.text).not.toContain(person.psn_name);
    }
  });
});

describe('simulated-device controls outside sandbox mode', () => {
  it('do not exist', async () => {
    const t = await startTestApp({ mode: 'production', pii: { createKeyringIfMissing: false } });
    try {
      await request(t.app.getHttpServer()).post('/api/v1/sandbox/devices/x/present').send({}).expect(404);
    } finally {
      await t.close();
    }
  });
});
